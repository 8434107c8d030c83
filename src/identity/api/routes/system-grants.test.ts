import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withIdentityApp, type IdentityCall } from '../testing/identity-test-app.js';

type Json = Record<string, unknown>;

const errorOf = (json: Json) => (json['error'] as { message: string }).message;
const namesOf = (roles: unknown) => (roles as Json[]).map((role) => String(role['name'])).sort();

/** A password token of the user with the given scope: the status, token and `token` body. */
async function login(call: IdentityCall, userId: string, password: string, scope: unknown) {
  const reply = await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['password'], password: { user: { id: userId, password } } }, scope } } });
  return { status: reply.status, token: reply.headers['x-subject-token'] ?? '', body: (reply.json['token'] as Json | undefined) ?? reply.json };
}

describe('role grants on the system and system-scoped tokens', () => {
  test('the administrator grants, lists, checks and revokes system roles of users and groups; others may not; bad ids are 404s', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const [reader] = await managers.roles.list({ name: 'reader' });
      const readerId = reader?.id ?? '';
      const carol = await managers.users.create({ name: 'carol', password: 'carol-secret' });
      const group = await managers.groups.create({ name: 'operators' });
      const unknown = '0123456789abcdef0123456789abcdef';

      for (const [actors, actorId] of [['users', carol.id], ['groups', group.id]] as const) {
        const roles = `/v3/system/${actors}/${actorId}/roles`;
        assert.equal((await call('PUT', `${roles}/${readerId}`, { token: demo })).status, 403, 'a project member grants nothing');
        assert.deepEqual((await call('GET', roles, { token: admin })).json['roles'], [], 'the refused grant stored nothing');
        assert.equal((await call('PUT', `${roles}/${readerId}`, { token: admin })).status, 204);
        assert.equal((await call('PUT', `${roles}/${readerId}`, { token: admin })).status, 204, 'granting again changes nothing');
        const listed = await call('GET', roles, { token: admin });
        assert.deepEqual([listed.status, namesOf(listed.json['roles'])], [200, ['reader']]);
        assert.equal((await call('GET', roles, { token: demo })).status, 403);
        assert.equal((await call('GET', `${roles}/${readerId}`, { token: admin })).status, 204);
        assert.equal((await call('HEAD', `${roles}/${readerId}`, { token: admin })).status, 204);
        assert.equal((await call('PUT', `${roles}/${unknown}`, { token: admin })).status, 404);
        assert.equal((await call('PUT', `/v3/system/${actors}/${unknown}/roles/${readerId}`, { token: admin })).status, 404);
        const [member] = await managers.roles.list({ name: 'member' });
        const missing = await call('GET', `${roles}/${member?.id ?? ''}`, { token: admin });
        assert.deepEqual(
          [missing.status, errorOf(missing.json)],
          [404, `Could not find role assignment with role: ${member?.id ?? ''}, user or group: ${actorId}, project, domain, or system: system.`],
        );
        assert.equal((await call('DELETE', `${roles}/${readerId}`, { token: demo })).status, 403);
        assert.equal((await call('DELETE', `${roles}/${readerId}`, { token: admin })).status, 204);
        assert.equal((await call('DELETE', `${roles}/${readerId}`, { token: admin })).status, 404);
        assert.deepEqual((await call('GET', roles, { token: admin })).json['roles'], []);
      }
    }));

  test('a system-scoped token needs a system role (own or a group’s), carries it with what it implies, and dies when the role is revoked', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const admin = await tokenOf('admin');
      const [member] = await managers.roles.list({ name: 'member' });
      const memberId = member?.id ?? '';
      const carol = await managers.users.create({ name: 'carol', password: 'carol-secret' });
      const dave = await managers.users.create({ name: 'dave', password: 'dave-secret' });
      const group = await managers.groups.create({ name: 'operators' });
      await managers.groups.addUser(group.id, dave.id);
      const system = { system: { all: true } };

      assert.equal((await login(call, carol.id, 'carol-secret', system)).status, 401, 'no system role yet');
      assert.equal((await call('PUT', `/v3/system/users/${carol.id}/roles/${memberId}`, { token: admin })).status, 204);
      const scoped = await login(call, carol.id, 'carol-secret', system);
      assert.equal(scoped.status, 201, JSON.stringify(scoped.body));
      assert.deepEqual(scoped.body['system'], { all: true });
      assert.deepEqual(namesOf(scoped.body['roles']), ['member', 'reader']);
      assert.equal(scoped.body['project'], undefined);
      assert.ok(Array.isArray(scoped.body['catalog']));
      const validated = await call('GET', '/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': scoped.token } });
      assert.deepEqual([validated.status, (validated.json['token'] as Json)['system']], [200, { all: true }]);

      assert.equal((await login(call, carol.id, 'carol-secret', { system: { all: false } })).status, 400);
      assert.equal((await login(call, carol.id, 'carol-secret', { ...system, domain: { id: 'default' } })).status, 400);

      assert.equal((await call('PUT', `/v3/system/groups/${group.id}/roles/${memberId}`, { token: admin })).status, 204);
      const byGroup = await login(call, dave.id, 'dave-secret', system);
      assert.deepEqual([byGroup.status, namesOf(byGroup.body['roles'])], [201, ['member', 'reader']]);

      assert.equal((await call('DELETE', `/v3/system/users/${carol.id}/roles/${memberId}`, { token: admin })).status, 204);
      assert.equal((await call('GET', '/v3/auth/projects', { token: scoped.token })).status, 401, 'revoking the grant revokes its tokens');
      assert.equal((await login(call, carol.id, 'carol-secret', system)).status, 401);
      assert.equal((await call('DELETE', `/v3/system/groups/${group.id}/roles/${memberId}`, { token: admin })).status, 204);
      assert.equal((await call('GET', '/v3/auth/projects', { token: byGroup.token })).status, 401);
    }));
});
