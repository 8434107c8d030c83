import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { expiryTime } from '../../resources/application-credentials.js';
import { withIdentityApp, type IdentityCall } from '../testing/identity-test-app.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

type Json = Record<string, unknown>;

/** The `application_credential` of a reply. */
const credentialOf = (json: Json) => json['application_credential'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;

/** POST /v3/auth/tokens with an application credential identity; returns the status, token and body. */
async function authenticate(call: IdentityCall, identity: Json, extra: Json = {}): Promise<{ status: number; token: string; body: Json }> {
  const reply = await call('POST', '/v3/auth/tokens', {
    body: { auth: { identity: { methods: ['application_credential'], application_credential: identity }, ...extra } },
  });
  return { status: reply.status, token: reply.headers['x-subject-token'] ?? '', body: (reply.json['token'] as Json | undefined) ?? reply.json };
}

/** The bootstrap's demo user id, from its own token. */
async function demoUserId(call: IdentityCall, demo: string): Promise<string> {
  const reply = await call('GET', '/v3/auth/tokens', { token: demo, headers: { 'x-subject-token': demo } });
  return String(((reply.json['token'] as Json)['user'] as Json)['id']);
}

describe('application credentials', () => {
  test('create shows the secret once; list, filter, show and the 409/400/404/403 answers are Keystone’s', () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const demo = await tokenOf('demo');
      const admin = await tokenOf('admin');
      const userId = await demoUserId(call, demo);
      const path = `/v3/users/${userId}/application_credentials`;

      lines.length = 0;
      const created = await call('POST', path, { token: demo, body: { application_credential: { name: 'ci', description: 'CI runs', roles: [{ name: 'member' }] } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const credential = credentialOf(created.json);
      const id = String(credential['id']);
      const secret = String(credential['secret']);
      assert.match(secret, /^[A-Za-z0-9_-]{86}$/, 'a generated secret: 64 random bytes, base64url');
      assert.ok(!lines.join('\n').includes(secret), 'the secret is never logged');
      const roles = credential['roles'] as Json[];
      assert.deepEqual(roles.map((role) => role['name']), ['member']);
      assert.deepEqual(
        { ...credential, roles: undefined, project_id: undefined },
        {
          id, name: 'ci', description: 'CI runs', secret, expires_at: null, unrestricted: false, access_rules: [], roles: undefined, project_id: undefined,
          links: { self: `http://cloud/identity/v3/users/${userId}/application_credentials/${id}` },
        },
      );

      const listed = await call('GET', `${path}?name=ci`, { token: demo });
      assert.equal(listed.status, 200);
      const [item] = listed.json['application_credentials'] as Json[];
      assert.equal(item?.['id'], id);
      assert.equal(item?.['secret'], undefined, 'the secret is shown on create only');
      assert.deepEqual((await call('GET', `${path}?name=other`, { token: demo })).json['application_credentials'], []);
      const shown = await call('GET', `${path}/${id}`, { token: demo });
      assert.deepEqual([shown.status, credentialOf(shown.json)['name'], credentialOf(shown.json)['secret']], [200, 'ci', undefined]);

      const duplicate = await call('POST', path, { token: demo, body: { application_credential: { name: 'ci' } } });
      assert.deepEqual([duplicate.status, errorOf(duplicate.json)], [409, 'Conflict occurred attempting to store application_credential - Duplicate entry.']);
      const unassigned = await call('POST', path, { token: demo, body: { application_credential: { name: 'up', roles: [{ name: 'admin' }] } } });
      assert.deepEqual([unassigned.status, errorOf(unassigned.json)], [400, 'Invalid application credential: Cannot create an application credential with unassigned role']);
      assert.equal((await call('POST', path, { token: demo, body: { application_credential: { name: 'x', roles: [{ name: 'no-such-role' }] } } })).status, 404);
      assert.equal((await call('POST', path, { token: demo, body: { application_credential: { name: 'x', expires_at: '2001-01-01T00:00:00' } } })).status, 400);
      for (const rule of [{ service: 'compute', path: 'v2.1/servers', method: 'GET' }, { service: 'compute', path: '/v2.1', method: 'GETS' }, { service: 'compute', method: 'GET' }, { path: '/x', method: 'GET', service: 'compute', extra: 1 }]) {
        const refused = await call('POST', path, { token: demo, body: { application_credential: { name: 'x', access_rules: [rule] } } });
        assert.equal(refused.status, 400, JSON.stringify(rule));
      }
      assert.equal((await call('POST', path, { token: demo, body: { application_credential: { name: 'x', access_rules: [{ id: 'nosuchrule' }] } } })).status, 404);
      assert.deepEqual((await call('GET', `/v3/users/${userId}/access_rules`, { token: demo })).json['access_rules'], [], 'a refused create makes no rule');
      assert.equal((await call('GET', `${path}/0123456789abcdef0123456789abcdef`, { token: demo })).status, 404);

      // Another user's: the administrator reads and deletes them but creates none for them; the demo user touches none of the admin's.
      assert.equal((await call('GET', path, { token: admin })).status, 200);
      assert.equal((await call('POST', path, { token: admin, body: { application_credential: { name: 'by-admin' } } })).status, 403);
      const adminId = await demoUserId(call, admin);
      assert.equal((await call('GET', `/v3/users/${adminId}/application_credentials`, { token: demo })).status, 403);
      assert.equal((await call('POST', `/v3/users/${adminId}/application_credentials`, { token: demo, body: { application_credential: { name: 'x' } } })).status, 403);
      // The owner is the credential's user, not the path's: the admin's path does not hide the demo user's credential from policy.
      assert.equal((await call('GET', `/v3/users/${adminId}/application_credentials/${id}`, { token: admin })).status, 404);

      const defaults = await call('POST', path, { token: demo, body: { application_credential: { name: 'all-roles', secret: 'chosen', expires_at: '2099-01-01T00:00:00Z' } } });
      assert.equal(defaults.status, 201);
      assert.deepEqual((credentialOf(defaults.json)['roles'] as Json[]).map((role) => role['name']).sort(), ['member', 'reader'], "without roles: all the token's");
      assert.deepEqual([credentialOf(defaults.json)['secret'], credentialOf(defaults.json)['expires_at']], ['chosen', '2099-01-01T00:00:00.000000']);

      // Tempest compares the expiry with the isoformat() it sent: microseconds kept, printed in UTC without a zone.
      for (const [sent, shown] of [['2099-01-01T10:00:00.123456', '2099-01-01T10:00:00.123456'], ['2099-01-01T10:00:00.5+01:00', '2099-01-01T09:00:00.500000']]) {
        const timed = await call('POST', path, { token: demo, body: { application_credential: { name: `timed-${shown}`, expires_at: sent } } });
        assert.equal(credentialOf(timed.json)['expires_at'], shown, sent);
      }

      assert.equal((await call('DELETE', `${path}/${id}`, { token: admin })).status, 204);
      assert.equal((await call('DELETE', `${path}/${id}`, { token: demo })).status, 404);
    }));

  test('authenticating with one gives a project token limited to its roles; a restricted one manages no credentials; deleting it kills its tokens', () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const demo = await tokenOf('demo');
      const userId = await demoUserId(call, demo);
      const path = `/v3/users/${userId}/application_credentials`;
      const created = credentialOf((await call('POST', path, { token: demo, body: { application_credential: { name: 'ci', roles: [{ name: 'reader' }] } } })).json);
      const [id, secret] = [String(created['id']), String(created['secret'])];

      const byId = await authenticate(call, { id, secret });
      assert.equal(byId.status, 201, JSON.stringify(byId.body));
      assert.deepEqual(byId.body['methods'], ['application_credential']);
      assert.deepEqual(byId.body['application_credential'], { id, name: 'ci', restricted: true });
      assert.equal((byId.body['project'] as Json)['name'], 'demo');
      assert.deepEqual((byId.body['roles'] as Json[]).map((role) => role['name']), ['reader'], 'only the credential’s roles, not member');
      assert.ok(Array.isArray(byId.body['catalog']));

      for (const identity of [{ name: 'ci', secret, user: { id: userId } }, { name: 'ci', secret, user: { name: 'demo', domain: { id: 'default' } } }]) {
        assert.equal((await authenticate(call, identity)).status, 201, JSON.stringify(identity));
      }
      for (const identity of [{ id, secret: 'wrong' }, { name: 'nope', secret, user: { id: userId } }, { id: '0123456789abcdef0123456789abcdef', secret }]) {
        assert.equal((await authenticate(call, identity)).status, 401, JSON.stringify(identity));
      }
      const scoped = await authenticate(call, { id, secret }, { scope: { project: { name: 'demo', domain: { id: 'default' } } } });
      assert.deepEqual([scoped.status, errorOf(scoped.body)], [401, 'Error authenticating with application credential: Application credentials cannot request a scope.']);

      const token = byId.token;
      assert.equal((await call('GET', path, { token })).status, 200, 'a restricted credential may still read');
      const create = await call('POST', path, { token, body: { application_credential: { name: 'more' } } });
      assert.deepEqual(
        [create.status, errorOf(create.json)],
        [403, "You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing additional application credentials."],
      );
      assert.equal((await call('DELETE', `${path}/${id}`, { token })).status, 403);
      const rescope = await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['token'], token: { id: token } } } } });
      assert.equal(rescope.status, 403, 'its token is not exchanged for another scope');

      assert.equal((await call('DELETE', `${path}/${id}`, { token: demo })).status, 204);
      assert.equal((await call('GET', '/v3/auth/projects', { token })).status, 401, 'its token is revoked at once');
      assert.equal((await call('GET', '/v3/auth/tokens', { token: demo, headers: { 'x-subject-token': token } })).status, 404);
      assert.equal((await authenticate(call, { id, secret })).status, 401);
    }));

  test('an unrestricted credential’s token may create another; an expired one authenticates no more', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const demo = await tokenOf('demo');
      const userId = await demoUserId(call, demo);
      const path = `/v3/users/${userId}/application_credentials`;
      const created = credentialOf((await call('POST', path, { token: demo, body: { application_credential: { name: 'free', unrestricted: true } } })).json);
      const auth = await authenticate(call, { id: created['id'], secret: created['secret'] });
      assert.deepEqual(auth.body['application_credential'], { id: created['id'], name: 'free', restricted: false });
      assert.equal((await call('POST', path, { token: auth.token, body: { application_credential: { name: 'child' } } })).status, 201);

      const [project] = await managers.projects.list({ name: 'demo' });
      const [reader] = await managers.roles.list({ name: 'reader' });
      const expired = await managers.applicationCredentials.create({
        userId, projectId: project?.id ?? '', name: 'old', secret: 'old-secret', roleIds: [reader?.id ?? ''],
        expiresAt: expiryTime(new Date(Date.now() - 1000).toISOString()) ?? null,
      });
      assert.equal((await authenticate(call, { id: expired.id, secret: 'old-secret' })).status, 401);
    }));

  test("a role granted after the caller's token was issued goes into a credential, and into its tokens (Tempest's admin test)", () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const demo = await tokenOf('demo');
      const userId = await demoUserId(call, demo);
      const path = `/v3/users/${userId}/application_credentials`;
      assert.equal((await call('GET', path, { token: demo })).status, 200, 'the token has been viewed (and its view cached)');
      const [project] = await managers.projects.list({ name: 'demo' });
      const role = await managers.roles.create({ name: 'operator' });
      await managers.assignments.grant({ actor: { userId }, target: { projectId: project?.id ?? '' }, roleId: role.id });
      const created = await call('POST', path, { token: demo, body: { application_credential: { name: 'ops', roles: [{ id: role.id }] } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const auth = await authenticate(call, { id: credentialOf(created.json)['id'], secret: credentialOf(created.json)['secret'] });
      assert.deepEqual((auth.body['roles'] as Json[]).map((granted) => granted['id']), [role.id]);
    }));

  test('access rules: shown with the credential and its token, shared by identical rules, listed, filtered, deleted once unused; they limit what its token may call', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const demo = await tokenOf('demo');
      const admin = await tokenOf('admin');
      const userId = await demoUserId(call, demo);
      const path = `/v3/users/${userId}/application_credentials`;
      const rulesPath = `/v3/users/${userId}/access_rules`;
      const listCredentials = { service: 'identity', path: '/v3/users/*/application_credentials', method: 'GET' };
      const created = await call('POST', path, { token: demo, body: { application_credential: { name: 'lister', access_rules: [listCredentials] } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const credential = credentialOf(created.json);
      const [rule] = credential['access_rules'] as Json[];
      assert.match(String(rule?.['id']), /^[0-9a-f]{32}$/);
      assert.deepEqual({ ...rule, id: undefined }, { ...listCredentials, id: undefined });
      const ruleId = String(rule?.['id']);

      // The same rule again, and by its id: one rule, two credentials.
      const again = credentialOf((await call('POST', path, { token: demo, body: { application_credential: { name: 'again', access_rules: [listCredentials, { id: ruleId }] } } })).json);
      assert.deepEqual((again['access_rules'] as Json[]).map((each) => each['id']), [ruleId]);
      const listed = await call('GET', rulesPath, { token: demo });
      assert.deepEqual((listed.json['access_rules'] as Json[]).map((each) => each['id']), [ruleId]);
      assert.deepEqual((await call('GET', `${rulesPath}?method=POST`, { token: demo })).json['access_rules'], []);
      const shown = await call('GET', `${rulesPath}/${ruleId}`, { token: demo });
      assert.deepEqual([shown.status, (shown.json['access_rule'] as Json)['path']], [200, '/v3/users/*/application_credentials']);

      // Another user's rule is not found by id, and only the owner and the administrator list them.
      const adminId = await demoUserId(call, admin);
      assert.equal((await call('GET', `/v3/users/${adminId}/access_rules/${ruleId}`, { token: admin })).status, 404);
      assert.equal((await call('GET', `/v3/users/${adminId}/access_rules`, { token: demo })).status, 403);
      assert.equal((await call('GET', rulesPath, { token: admin })).status, 200);

      // Its token: the rules are in the body; a validator must say it enforces them; the middleware does.
      const auth = await authenticate(call, { id: credential['id'], secret: credential['secret'] });
      assert.equal(auth.status, 201);
      assert.deepEqual((auth.body['application_credential'] as Json)['access_rules'], [{ ...listCredentials, id: ruleId }]);
      const validate = (headers: Record<string, string>) => call('GET', '/v3/auth/tokens', { token: demo, headers: { 'x-subject-token': auth.token, ...headers } });
      assert.equal((await validate({})).status, 404, 'a validator that does not enforce access rules is not told the token is good');
      assert.equal((await validate({ 'openstack-identity-access-rules': '1' })).status, 200);
      assert.equal((await call('GET', path, { token: auth.token })).status, 200, 'the call its rule allows');
      assert.equal((await call('GET', `${path}/${String(credential['id'])}`, { token: auth.token })).status, 401, '* is one path segment');
      assert.equal((await call('GET', '/v3/projects', { token: auth.token })).status, 401);
      assert.equal((await call('GET', '/v3/auth/tokens', { token: auth.token, headers: { 'x-subject-token': demo } })).status, 200, 'any token may validate');

      // In use: 403, nothing deleted; once its credentials are gone it goes; a deleted user's rules go.
      const inUse = await call('DELETE', `${rulesPath}/${ruleId}`, { token: demo });
      assert.deepEqual([inUse.status, errorOf(inUse.json)], [403, 'May not delete access rule in use']);
      for (const id of [credential['id'], again['id']]) assert.equal((await call('DELETE', `${path}/${String(id)}`, { token: demo })).status, 204);
      assert.equal(((await call('GET', rulesPath, { token: demo })).json['access_rules'] as Json[]).length, 1, 'deleting the credential keeps the rule');
      assert.equal((await call('DELETE', `${rulesPath}/${ruleId}`, { token: demo })).status, 204);
      assert.equal((await call('GET', `${rulesPath}/${ruleId}`, { token: demo })).status, 404);

      const [project] = await managers.projects.list({ name: 'demo' });
      const [member] = await managers.roles.list({ name: 'member' });
      const user = await managers.users.create({ name: 'dave', password: 'dave-secret' });
      await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId: project?.id ?? '' }, roleId: member?.id ?? '' });
      const rules = [{ id: 'daverule', service: 'image', path: '/v2/images', method: 'GET' }];
      await managers.applicationCredentials.create({ userId: user.id, projectId: project?.id ?? '', name: 'job', secret: 's', roleIds: [member?.id ?? ''], accessRules: rules });
      assert.equal((await managers.applicationCredentials.listAccessRules({ user_id: user.id })).length, 1);
      assert.equal((await call('DELETE', `/v3/users/${user.id}`, { token: admin })).status, 204);
      assert.deepEqual(await managers.applicationCredentials.listAccessRules({ user_id: user.id }), []);
    }));

  test('a user losing their role on the project, or deleted, loses their credentials and the tokens made with them', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const admin = await tokenOf('admin');
      const [project] = await managers.projects.list({ name: 'demo' });
      const [member] = await managers.roles.list({ name: 'member' });
      const projectId = project?.id ?? '';
      const memberId = member?.id ?? '';
      const user = await managers.users.create({ name: 'carol', password: 'carol-secret' });
      await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId }, roleId: memberId });
      const login = await call('POST', '/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['password'], password: { user: { id: user.id, password: 'carol-secret' } } }, scope: { project: { id: projectId } } } },
      });
      const carol = login.headers['x-subject-token'] ?? '';
      const path = `/v3/users/${user.id}/application_credentials`;
      const created = credentialOf((await call('POST', path, { token: carol, body: { application_credential: { name: 'job' } } })).json);
      const auth = await authenticate(call, { id: created['id'], secret: created['secret'] });
      assert.equal(auth.status, 201);

      assert.equal((await call('DELETE', `/v3/projects/${projectId}/users/${user.id}/roles/${memberId}`, { token: admin })).status, 204);
      assert.equal((await call('GET', `${path}/${String(created['id'])}`, { token: admin })).status, 404, 'Keystone deletes it');
      assert.equal((await call('GET', '/v3/auth/projects', { token: auth.token })).status, 401);
      assert.equal((await authenticate(call, { id: created['id'], secret: created['secret'] })).status, 401);

      await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId }, roleId: memberId });
      await managers.applicationCredentials.create({ userId: user.id, projectId, name: 'again', secret: 's', roleIds: [memberId] });
      assert.equal((await call('DELETE', `/v3/users/${user.id}`, { token: admin })).status, 204);
      assert.deepEqual(await managers.applicationCredentials.list(user.id), []);
    }));
});
