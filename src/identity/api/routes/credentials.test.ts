import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { withIdentityApp, type IdentityCall } from '../testing/identity-test-app.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

type Json = Record<string, unknown>;

const credentialOf = (json: Json) => json['credential'] as Json;
const credentialsOf = (json: Json) => json['credentials'] as Json[];
const errorOf = (json: Json) => (json['error'] as { message: string }).message;

/** The user and project of a token, from the token itself. */
async function whoIs(call: IdentityCall, token: string): Promise<{ userId: string; projectId: string }> {
  const reply = await call('GET', '/v3/auth/tokens', { token, headers: { 'x-subject-token': token } });
  const body = reply.json['token'] as Json;
  return { userId: String((body['user'] as Json)['id']), projectId: String((body['project'] as Json)['id']) };
}

describe('credentials', () => {
  test("/v3/credentials: CRUD, filters, ec2 ids, owners only, Keystone's 400s changing nothing", () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const [adminIds, demoIds] = [await whoIs(call, admin), await whoIs(call, demo)];

      lines.length = 0;
      const blob = JSON.stringify({ access: 'demo-access', secret: 'demo-secret-value' });
      const created = await call('POST', '/v3/credentials', {
        token: demo, body: { credential: { user_id: demoIds.userId, project_id: demoIds.projectId, type: 'ec2', blob, label: 'ci' } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const ec2Id = createHash('sha256').update('demo-access').digest('hex');
      assert.deepEqual(credentialOf(created.json), {
        label: 'ci', id: ec2Id, user_id: demoIds.userId, project_id: demoIds.projectId, type: 'ec2', blob,
        links: { self: `http://cloud/identity/v3/credentials/${ec2Id}` },
      });
      assert.ok(!lines.join('\n').includes('demo-secret-value'), 'a blob is never logged');

      const cert = await call('POST', '/v3/credentials', { token: admin, body: { credential: { user_id: adminIds.userId, type: 'cert', blob: 'PEM' } } });
      assert.equal(cert.status, 201);
      const certId = String(credentialOf(cert.json)['id']);
      assert.match(certId, /^[0-9a-f]{32}$/);
      assert.equal(credentialOf(cert.json)['project_id'], null);

      // The administrator sees both and filters; the demo user sees only their own.
      const ids = async (token: string, query = '') => credentialsOf((await call('GET', `/v3/credentials${query}`, { token })).json).map((each) => each['id']).sort();
      assert.deepEqual(await ids(admin), [certId, ec2Id].sort());
      assert.deepEqual(await ids(admin, '?type=cert'), [certId]);
      assert.deepEqual(await ids(admin, `?user_id=${demoIds.userId}`), [ec2Id]);
      assert.deepEqual(await ids(admin, `?user_id=${demoIds.userId}&type=cert`), []);
      assert.deepEqual(await ids(demo), [ec2Id]);
      assert.deepEqual(await ids(demo, `?user_id=${adminIds.userId}`), []);

      // Another user's credential: the demo user may not read, change, delete, or create one for them.
      assert.equal((await call('GET', `/v3/credentials/${certId}`, { token: demo })).status, 403);
      assert.equal((await call('PATCH', `/v3/credentials/${certId}`, { token: demo, body: { credential: { blob: 'mine' } } })).status, 403);
      assert.equal((await call('DELETE', `/v3/credentials/${certId}`, { token: demo })).status, 403);
      assert.equal((await call('POST', '/v3/credentials', { token: demo, body: { credential: { user_id: adminIds.userId, type: 'cert', blob: 'x' } } })).status, 403);
      // Nor hand their own to another user.
      assert.equal((await call('PATCH', `/v3/credentials/${ec2Id}`, { token: demo, body: { credential: { user_id: adminIds.userId } } })).status, 403);
      assert.equal((await call('GET', `/v3/credentials/${certId}`, { token: admin })).status, 200);

      // Update: blob and type; the id may not change.
      const newBlob = JSON.stringify({ access: 'demo-access', secret: 'rotated' });
      const updated = await call('PATCH', `/v3/credentials/${ec2Id}`, { token: demo, body: { credential: { blob: newBlob, project_id: adminIds.projectId } } });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.deepEqual([credentialOf(updated.json)['blob'], credentialOf(updated.json)['project_id'], credentialOf(updated.json)['label']], [newBlob, adminIds.projectId, 'ci']);
      const renamed = await call('PATCH', `/v3/credentials/${ec2Id}`, { token: demo, body: { credential: { id: 'other' } } });
      assert.deepEqual([renamed.status, errorOf(renamed.json)], [400, 'Cannot change ID']);
      const fixedKey = await call('PATCH', `/v3/credentials/${ec2Id}`, { token: demo, body: { credential: { blob: JSON.stringify({ access: 'demo-access', trust_id: 't' }) } } });
      assert.deepEqual([fixedKey.status, errorOf(fixedKey.json)], [400, 'trust_id can not be updated for credential']);

      // Bad input: 400 in Keystone's words, nothing stored.
      const before = await ids(admin);
      const bad = async (credential: Json) => call('POST', '/v3/credentials', { token: admin, body: { credential } });
      const noProject = await bad({ user_id: adminIds.userId, type: 'ec2', blob: JSON.stringify({ access: 'a' }) });
      assert.equal(noProject.status, 400);
      assert.match(errorOf(noProject.json), /is not valid under any of the given schemas$/);
      const notJson = await bad({ user_id: adminIds.userId, project_id: adminIds.projectId, type: 'ec2', blob: 'not json' });
      assert.deepEqual([notJson.status, errorOf(notJson.json)], [400, 'Invalid blob in credential']);
      const noAccess = await bad({ user_id: adminIds.userId, project_id: adminIds.projectId, type: 'ec2', blob: '{"secret": "s"}' });
      assert.deepEqual([noAccess.status, errorOf(noAccess.json)], [400, 'Expecting to find access in credential. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.']);
      const noBlob = await bad({ user_id: adminIds.userId, type: 'cert' });
      assert.equal(noBlob.status, 400);
      assert.match(errorOf(noBlob.json), /'blob' is a required property/);
      assert.equal((await bad({ user_id: adminIds.userId, type: 'cert', blob: 5 })).status, 400);
      const duplicate = await call('POST', '/v3/credentials', { token: demo, body: { credential: { user_id: demoIds.userId, project_id: demoIds.projectId, type: 'ec2', blob } } });
      assert.equal(duplicate.status, 409);
      assert.deepEqual(await ids(admin), before);

      assert.equal((await call('DELETE', `/v3/credentials/${ec2Id}`, { token: demo })).status, 204);
      const gone = await call('GET', `/v3/credentials/${ec2Id}`, { token: admin });
      assert.deepEqual([gone.status, errorOf(gone.json)], [404, `Could not find credential: ${ec2Id}.`]);
      assert.equal((await call('GET', `/v3/credentials/${ec2Id}`, { token: demo })).status, 403, 'a missing credential is no one’s: 403 before 404 for a non-admin');
    }));

  test('OS-EC2: a user creates, lists, shows and deletes ec2 pairs; they are /v3/credentials rows; others are refused', () =>
    withIdentityApp(async ({ call, tokenOf, managers }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const [adminIds, demoIds] = [await whoIs(call, admin), await whoIs(call, demo)];
      const path = `/v3/users/${demoIds.userId}/credentials/OS-EC2`;

      lines.length = 0;
      const created = await call('POST', path, { token: demo, body: { tenant_id: demoIds.projectId } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const credential = credentialOf(created.json);
      const access = String(credential['access']);
      const secret = String(credential['secret']);
      assert.match(access, /^[0-9a-f]{32}$/);
      assert.match(secret, /^[0-9a-f]{32}$/);
      assert.deepEqual(credential, {
        user_id: demoIds.userId, tenant_id: demoIds.projectId, access, secret, trust_id: null,
        links: { self: `http://cloud/identity${path}/${access}` },
      });
      assert.ok(!lines.join('\n').includes(secret), 'the secret is never logged');

      const listed = await call('GET', path, { token: demo });
      assert.deepEqual(credentialsOf(listed.json).map((each) => each['access']), [access]);
      const shown = await call('GET', `${path}/${access}`, { token: demo });
      assert.deepEqual(credentialOf(shown.json), credential);
      // The same row under /v3/credentials, of type ec2, its id the hash of the access key.
      const row = await call('GET', `/v3/credentials/${createHash('sha256').update(access).digest('hex')}`, { token: demo });
      assert.deepEqual([row.status, credentialOf(row.json)['type'], (JSON.parse(String(credentialOf(row.json)['blob'])) as Json)['secret']], [200, 'ec2', secret]);

      // Other users: the administrator reads them; the admin's path is closed to the demo user, and its access key is no one else's.
      assert.equal((await call('GET', path, { token: admin })).status, 200);
      const adminPath = `/v3/users/${adminIds.userId}/credentials/OS-EC2`;
      assert.equal((await call('GET', adminPath, { token: demo })).status, 403);
      assert.equal((await call('POST', adminPath, { token: demo, body: { tenant_id: demoIds.projectId } })).status, 403);
      const adminPair = credentialOf((await call('POST', adminPath, { token: admin, body: { tenant_id: adminIds.projectId } })).json);
      assert.equal((await call('GET', `${adminPath}/${String(adminPair['access'])}`, { token: demo })).status, 403);
      assert.equal((await call('DELETE', `${adminPath}/${String(adminPair['access'])}`, { token: demo })).status, 403);
      assert.equal((await call('GET', `${path}/${String(adminPair['access'])}`, { token: admin })).status, 404, "under another user's path");

      // Bad input changes nothing.
      const noProject = await call('POST', path, { token: demo, body: { tenant_id: '0123456789abcdef0123456789abcdef' } });
      assert.deepEqual([noProject.status, errorOf(noProject.json)], [404, 'Could not find project: 0123456789abcdef0123456789abcdef.']);
      assert.equal((await call('POST', path, { token: demo, body: {} })).status, 400);
      assert.equal((await call('GET', `/v3/users/no-such-user/credentials/OS-EC2`, { token: admin })).status, 404);
      assert.equal(credentialsOf((await call('GET', path, { token: demo })).json).length, 1);

      assert.equal((await call('DELETE', `${path}/${access}`, { token: demo })).status, 204);
      assert.equal((await call('GET', `${path}/${access}`, { token: demo })).status, 404);
      assert.equal((await call('DELETE', `${path}/${access}`, { token: demo })).status, 404);

      // A deleted user's credentials go with them.
      const user = await managers.users.create({ name: 'leaver', password: 'x' });
      await managers.credentials.createEc2(user.id, adminIds.projectId);
      await managers.users.delete(user.id);
      assert.deepEqual(await managers.credentials.list({ user_id: user.id }), []);
    }));
});
