import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IdentityManagers } from '../../resources/index.js';
import { withIdentityApp, type IdentityCall } from '../testing/identity-test-app.js';

type Json = Record<string, unknown>;

const TRUSTS = '/v3/OS-TRUST/trusts';
const trustOf = (json: Json) => json['trust'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;
const namesOf = (roles: unknown) => (roles as Json[]).map((role) => String(role['name'])).sort();

/**
 * A trustor (alice: member, which implies reader, and ops on the demo project) and a trustee
 * (bob: no roles anywhere), with a project-scoped token of alice's.
 */
async function parties(call: IdentityCall, managers: IdentityManagers) {
  const [project] = await managers.projects.list({ name: 'demo' });
  const [member] = await managers.roles.list({ name: 'member' });
  const [admin] = await managers.roles.list({ name: 'admin' });
  const projectId = project?.id ?? '';
  const ops = await managers.roles.create({ name: 'ops' });
  const alice = await managers.users.create({ name: 'alice', password: 'alice-secret' });
  const bob = await managers.users.create({ name: 'bob', password: 'bob-secret' });
  for (const roleId of [member?.id ?? '', ops.id]) await managers.assignments.grant({ actor: { userId: alice.id }, target: { projectId }, roleId });
  const login = async (userId: string, password: string, scope?: Json | 'unscoped') =>
    call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['password'], password: { user: { id: userId, password } } }, ...(scope === undefined ? {} : { scope }) } } });
  const aliceToken = (await login(alice.id, 'alice-secret', { project: { id: projectId } })).headers['x-subject-token'] ?? '';
  const bobToken = (await login(bob.id, 'bob-secret', 'unscoped')).headers['x-subject-token'] ?? '';
  /** Bob's token scoped to the trust: the reply's status, token and `token` body. */
  const trustToken = async (trustId: string, as: { id: string; password: string } = { id: bob.id, password: 'bob-secret' }) => {
    const reply = await login(as.id, as.password, { 'OS-TRUST:trust': { id: trustId } });
    return { status: reply.status, token: reply.headers['x-subject-token'] ?? '', body: (reply.json['token'] as Json | undefined) ?? reply.json };
  };
  const create = (trust: Json, token = aliceToken) =>
    call('POST', TRUSTS, { token, body: { trust: { trustor_user_id: alice.id, trustee_user_id: bob.id, project_id: projectId, impersonation: true, roles: [{ name: 'member' }], ...trust } } });
  return { projectId, memberId: member?.id ?? '', adminRoleId: admin?.id ?? '', ops, alice, bob, aliceToken, bobToken, trustToken, create };
}

describe('trusts (OS-TRUST)', () => {
  test('create, show, list and delete as Keystone; bad input is a 400/403/404 that stores nothing; only the trustor, trustee or admin see it', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const { projectId, memberId, adminRoleId, ops, alice, bob, aliceToken, bobToken, create } = await parties(call, managers);
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];

      const created = await create({ expires_at: '2099-01-01T10:00:00.123456Z' });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const trust = trustOf(created.json);
      const id = String(trust['id']);
      assert.deepEqual(namesOf(trust['roles']), ['member']);
      assert.deepEqual(
        { ...trust, roles: undefined },
        {
          id, trustor_user_id: alice.id, trustee_user_id: bob.id, project_id: projectId, impersonation: true,
          expires_at: '2099-01-01T10:00:00.123456Z', remaining_uses: null, redelegation_count: 0, redelegated_trust_id: null, deleted_at: null, roles: undefined,
          links: { self: `http://cloud/identity/v3/OS-TRUST/trusts/${id}` },
          roles_links: { self: `http://cloud/identity/v3/OS-TRUST/trusts/${id}/roles`, previous: null, next: null },
        },
      );
      assert.match(String((trust['roles'] as Json[])[0]?.['links'] && ((trust['roles'] as Json[])[0]?.['links'] as Json)['self']), new RegExp(`/v3/roles/${memberId}$`));

      // The trustor, the trustee and the administrator see it; another user does not.
      for (const token of [aliceToken, bobToken, admin]) assert.equal((await call('GET', `${TRUSTS}/${id}`, { token })).status, 200);
      const stranger = await call('GET', `${TRUSTS}/${id}`, { token: demo });
      assert.deepEqual([stranger.status, errorOf(stranger.json)], [403, 'You are not authorized to perform the requested action: identity:get_trust.']);
      assert.equal((await call('GET', `${TRUSTS}/${id}/roles`, { token: demo })).status, 403);

      const listed = await call('GET', `${TRUSTS}?trustor_user_id=${alice.id}`, { token: aliceToken });
      assert.equal(listed.status, 200);
      assert.deepEqual((listed.json['trusts'] as Json[]).map((item) => [item['id'], item['roles']]), [[id, undefined]], 'a list shows no roles');
      assert.deepEqual(((await call('GET', `${TRUSTS}?trustee_user_id=${bob.id}`, { token: bobToken })).json['trusts'] as Json[]).map((item) => item['id']), [id]);
      const slashed = await call('GET', `${TRUSTS}/?trustor_user_id=${alice.id}`, { token: aliceToken });
      assert.deepEqual([slashed.status, (slashed.json['trusts'] as Json[]).length], [200, 1], "Tempest's client lists at OS-TRUST/trusts/");
      assert.equal((await call('GET', `${TRUSTS}?trustor_user_id=${alice.id}`, { token: demo })).status, 403);
      assert.equal((await call('GET', `${TRUSTS}?trustee_user_id=${bob.id}`, { token: aliceToken })).status, 403);
      assert.equal((await call('GET', TRUSTS, { token: aliceToken })).status, 403, 'all trusts: the administrator only');
      assert.ok(((await call('GET', TRUSTS, { token: admin })).json['trusts'] as Json[]).some((item) => item['id'] === id));

      const roles = await call('GET', `${TRUSTS}/${id}/roles`, { token: bobToken });
      assert.deepEqual([roles.status, namesOf(roles.json['roles'])], [200, ['member']]);
      const role = await call('GET', `${TRUSTS}/${id}/roles/${memberId}`, { token: bobToken });
      assert.deepEqual([role.status, (role.json['role'] as Json)['id']], [200, memberId]);
      assert.equal((await call('HEAD', `${TRUSTS}/${id}/roles/${memberId}`, { token: bobToken })).status, 200);
      const undelegated = await call('GET', `${TRUSTS}/${id}/roles/${ops.id}`, { token: bobToken });
      assert.deepEqual([undelegated.status, errorOf(undelegated.json)], [404, `Could not find role: ${ops.id}.`]);
      assert.equal((await call('HEAD', `${TRUSTS}/${id}/roles/${ops.id}`, { token: bobToken })).status, 404);

      const refusals: [Json, string | undefined, number, string | undefined][] = [
        [{ trustor_user_id: bob.id }, aliceToken, 403, 'You are not authorized to perform the requested action: identity:create_trust.'],
        [{}, admin, 403, 'You are not authorized to perform the requested action: identity:create_trust.'],
        [{ roles: [{ id: adminRoleId }] }, aliceToken, 404, `Could not find role: ${adminRoleId}.`],
        [{ roles: [{ name: 'no-such-role' }] }, aliceToken, 404, 'Could not find role: no-such-role.'],
        [{ roles: [] }, aliceToken, 403, 'You are not authorized to perform the requested action: At least one role should be specified.'],
        [{ trustee_user_id: '0123456789abcdef0123456789abcdef' }, aliceToken, 404, 'Could not find user: 0123456789abcdef0123456789abcdef.'],
        [{ project_id: '0123456789abcdef0123456789abcdef' }, aliceToken, 404, 'Could not find project: 0123456789abcdef0123456789abcdef.'],
        [{ expires_at: 'bad.123Z' }, aliceToken, 400, undefined],
        [{ expires_at: '2001-01-01T00:00:00Z' }, aliceToken, 400, undefined],
        [{ impersonation: 'yes' }, aliceToken, 400, undefined],
        [{ remaining_uses: 0 }, aliceToken, 400, undefined],
        [{ allow_redelegation: true, remaining_uses: 3 }, aliceToken, 400, 'remaining_uses must not be set if redelegation is allowed'],
        [{ allow_redelegation: true, redelegation_count: 4 }, aliceToken, 403, 'Requested redelegation depth of 4 is greater than allowed 3'],
        [{ expires_at: '2099-01-01T10:00:00.123456Z' }, aliceToken, 409, 'Conflict occurred attempting to store trust - Duplicate entry.'],
      ];
      for (const [change, token, status, message] of refusals) {
        const refused = await create(change, token);
        assert.equal(refused.status, status, `${JSON.stringify(change)}: ${JSON.stringify(refused.json)}`);
        if (message !== undefined) assert.equal(errorOf(refused.json), message, JSON.stringify(change));
      }
      assert.equal((await call('POST', TRUSTS, { token: aliceToken, body: { trust: { trustor_user_id: alice.id, trustee_user_id: bob.id } } })).status, 400, 'impersonation is required');
      assert.equal((await managers.trusts.list({ trustorUserId: alice.id })).length, 1, 'no refused request stored a trust');

      const redelegatable = trustOf((await create({ allow_redelegation: true, impersonation: false })).json);
      assert.equal(redelegatable['redelegation_count'], 3, "Keystone's max_redelegation_count");

      // Only the trustor or the administrator deletes it.
      assert.equal((await call('DELETE', `${TRUSTS}/${id}`, { token: bobToken })).status, 403);
      assert.equal((await call('DELETE', `${TRUSTS}/${id}`, { token: demo })).status, 403);
      assert.equal((await call('DELETE', `${TRUSTS}/${id}`, { token: aliceToken })).status, 204);
      const gone = await call('GET', `${TRUSTS}/${id}`, { token: aliceToken });
      assert.deepEqual([gone.status, errorOf(gone.json)], [404, `Could not find trust: ${id}.`]);
      assert.equal((await call('DELETE', `${TRUSTS}/${id}`, { token: aliceToken })).status, 404);
      assert.equal((await call('DELETE', `${TRUSTS}/${String(redelegatable['id'])}`, { token: admin })).status, 204);
    }));

  test('a trust-scoped token: the trustee acts as the trustor (or as themself) with only the delegated roles, for the trust’s remaining uses', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const { projectId, alice, bob, create, trustToken } = await parties(call, managers);
      const admin = await tokenOf('admin');
      const trustId = String(trustOf((await create({ remaining_uses: 2 })).json)['id']);

      const first = await trustToken(trustId);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body['OS-TRUST:trust'], { id: trustId, impersonation: true, trustor_user: { id: alice.id }, trustee_user: { id: bob.id } });
      assert.equal((first.body['user'] as Json)['id'], alice.id, 'impersonation: the token is the trustor’s');
      assert.equal((first.body['project'] as Json)['id'], projectId);
      assert.deepEqual(namesOf(first.body['roles']), ['member', 'reader'], 'the delegated role and what it implies, not ops');
      const validated = await call('GET', '/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': first.token } });
      assert.deepEqual([validated.status, (validated.json['token'] as Json)['OS-TRUST:trust']], [200, first.body['OS-TRUST:trust']]);
      assert.equal((await call('GET', `${TRUSTS}/${trustId}`, { token: first.token })).status, 200, 'its token may read the trust');

      const rescope = await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['token'], token: { id: first.token } }, scope: { project: { id: projectId } } } } });
      assert.deepEqual(
        [rescope.status, errorOf(rescope.json)],
        [403, 'You are not authorized to perform the requested action: Using trust-scoped token to create another token. Create a new trust-scoped token instead.'],
      );
      const notTrustee = await trustToken(trustId, { id: alice.id, password: 'alice-secret' });
      assert.deepEqual([notTrustee.status, errorOf(notTrustee.body)], [403, 'User is not a trustee.']);

      const second = await trustToken(trustId);
      assert.equal(second.status, 201, JSON.stringify(second.body));
      assert.equal((await trustToken(trustId)).status, 401, 'no uses left: the trust is gone for Keystone');
      assert.equal((await call('GET', `${TRUSTS}/${trustId}`, { token: admin })).status, 404);
      assert.equal((await call('GET', '/v3/auth/projects', { token: first.token })).status, 200, 'tokens already issued still work');

      const own = String(trustOf((await create({ impersonation: false })).json)['id']);
      const asBob = await trustToken(own);
      assert.equal(asBob.status, 201);
      assert.equal((asBob.body['user'] as Json)['id'], bob.id, 'without impersonation: the trustee’s own user');
      assert.deepEqual(namesOf(asBob.body['roles']), ['member', 'reader']);
      assert.equal((await call('DELETE', `${TRUSTS}/${own}`, { token: admin })).status, 204);
      assert.equal((await call('GET', '/v3/auth/projects', { token: asBob.token })).status, 401, 'deleting the trust revokes its tokens');
      assert.equal((await trustToken(own)).status, 401);
      const missing = await call('POST', '/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['password'], password: { user: { id: bob.id, password: 'bob-secret' } } }, scope: { 'OS-TRUST:trust': {} } } },
      });
      assert.equal(missing.status, 400);
    }));

  test('a trust’s tokens expire with it, die when the trustor loses the role, and the trust dies with its trustee', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const { projectId, memberId, alice, bob, create, trustToken } = await parties(call, managers);
      const admin = await tokenOf('admin');
      // Long enough for a password login (scrypt) on a loaded machine.
      const soon = new Date(Date.now() + 8000).toISOString();
      const expiring = String(trustOf((await create({ expires_at: soon })).json)['id']);
      const token = await trustToken(expiring);
      assert.equal(token.status, 201);
      assert.equal(new Date(String(token.body['expires_at'])).getTime(), new Date(soon).getTime(), 'the token ends with the trust');
      await new Promise((resolve) => setTimeout(resolve, new Date(soon).getTime() - Date.now() + 50));
      assert.equal((await trustToken(expiring)).status, 401);
      assert.equal((await call('GET', '/v3/auth/projects', { token: token.token })).status, 401);

      const trustId = String(trustOf((await create({ impersonation: false })).json)['id']);
      const before = await trustToken(trustId);
      assert.equal(before.status, 201);
      assert.equal((await call('DELETE', `/v3/projects/${projectId}/users/${alice.id}/roles/${memberId}`, { token: admin })).status, 204);
      assert.equal((await call('GET', '/v3/auth/projects', { token: before.token })).status, 401, 'the trustor no longer holds the delegated role');
      const refused = await trustToken(trustId);
      assert.deepEqual([refused.status, errorOf(refused.body)], [403, 'Trustee has no delegated roles.']);

      assert.equal((await call('DELETE', `/v3/users/${bob.id}`, { token: admin })).status, 204);
      assert.equal((await call('GET', `${TRUSTS}/${trustId}`, { token: admin })).status, 404, 'Keystone deletes the trusts of a deleted user');
      assert.deepEqual(await managers.trusts.list({ trustorUserId: alice.id }), []);
    }));
});
