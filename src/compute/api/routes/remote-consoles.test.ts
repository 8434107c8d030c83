import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { NodeStore } from '../../db/node-store.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { FakeDriver } from '../../virt/fake/fake-driver.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');
const VNC = { remote_console: { protocol: 'vnc', type: 'novnc' } };

/** The token a console URL carries in noVNC's path parameter. */
function tokenOf(url: string): string {
  const path = new URL(url).searchParams.get('path') ?? '';
  return new URLSearchParams(path.replace(/^\?/, '')).get('token') ?? '';
}

describe('POST /servers/{id}/remote-consoles and os-getVNCConsole', () => {
  test("2.6+: a novnc URL on the proxy's page with a token whose console the admin can look up", () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const created = await call('POST', `/servers/${id}/remote-consoles`, { body: VNC, as: DEMO, version: '2.6' });
      assert.equal(created.status, 200);
      const console = created.json['remote_console'] as { protocol: string; type: string; url: string };
      assert.deepEqual([console.protocol, console.type], ['vnc', 'novnc']);
      assert.match(console.url, /^http:\/\/cloud\/novnc\/vnc_lite\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
      assert.deepEqual(recorded.agent.at(-1), { verb: 'get_vnc_console', host: 'compute-1', args: { instanceUuid: id } });

      const token = tokenOf(console.url);
      const shown = await call('GET', `/os-console-auth-tokens/${token}`, { version: '2.31' });
      assert.equal(shown.status, 200);
      assert.deepEqual(shown.json, { console: { instance_uuid: id, host: 'compute-1', port: null, internal_access_path: `/run/test/${id}/vnc.sock` } });
      // Before 2.31 only RDP consoles could be looked up.
      assert.equal((await call('GET', `/os-console-auth-tokens/${token}`, { version: '2.30' })).status, 401);
      assert.equal((await call('GET', `/os-console-auth-tokens/${randomUUID()}`, { version: '2.31' })).status, 404);
      const member = await call('GET', `/os-console-auth-tokens/${token}`, { as: DEMO, version: '2.31' });
      assert.equal(member.status, 403, 'the look-up is for admins');
      // Two URLs, two tokens.
      const again = await call('POST', `/servers/${id}/remote-consoles`, { body: VNC, as: DEMO, version: '2.6' });
      assert.notEqual(tokenOf((again.json['remote_console'] as { url: string }).url), token);
    }));

  test('before 2.6 the os-getVNCConsole action; each is 404 at the other versions', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      const legacy = await call('POST', `/servers/${id}/action`, { body: { 'os-getVNCConsole': { type: 'novnc' } }, as: DEMO, version: '2.5' });
      assert.equal(legacy.status, 200);
      assert.equal((legacy.json['console'] as { type: string }).type, 'novnc');
      assert.match((legacy.json['console'] as { url: string }).url, /\/novnc\/vnc_lite\.html\?path=%3Ftoken%3D/);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { 'os-getVNCConsole': { type: 'novnc' } }, as: DEMO, version: '2.6' })).status, 404);
      assert.equal((await call('POST', `/servers/${id}/remote-consoles`, { body: VNC, as: DEMO, version: '2.5' })).status, 404);
      const xvpvnc = await call('POST', `/servers/${id}/action`, { body: { 'os-getVNCConsole': { type: 'xvpvnc' } }, as: DEMO });
      assert.deepEqual([xvpvnc.status, xvpvnc.json], [400, { badRequest: { code: 400, message: 'Invalid console type xvpvnc' } }]);
    }));

  test("other protocols are Nova's 400; bad bodies 400; another project's server 404; no host or a delete under way 409", () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const post = (body: unknown, as = DEMO, server = id) => call('POST', `/servers/${server}/remote-consoles`, { body, as, version: '2.8' });
      const spice = await post({ remote_console: { protocol: 'spice', type: 'spice-html5' } });
      assert.deepEqual([spice.status, spice.json], [400, { badRequest: { code: 400, message: 'Unavailable console type spice-html5.' } }]);
      assert.equal((await post({ remote_console: { protocol: 'vnc', type: 'novnc', extra: 1 } })).status, 400);
      assert.equal((await post({ remote_console: { protocol: 'telnet', type: 'novnc' } })).status, 400);
      assert.equal((await post(VNC, OTHER)).status, 404);
      const unscheduled = await insertInstance(db, 'demo', { vm_state: 'building', task_state: 'scheduling', host: null, node: null });
      const notReady = await post(VNC, DEMO, unscheduled);
      assert.deepEqual([notReady.status, notReady.json], [409, { conflictingRequest: { code: 409, message: `Instance ${unscheduled} is not ready` } }]);
      const deleting = await insertInstance(db, 'demo', { task_state: 'deleting' });
      const refused = await post(VNC, DEMO, deleting);
      assert.deepEqual([refused.status, refused.json], [409, { conflictingRequest: { code: 409, message: `Cannot 'get_vnc_console' instance ${deleting} while it is in task_state deleting` } }]);
      assert.deepEqual(recorded.agent, [], 'no host was asked');
    }));

  test("a host whose driver has no graphical console (the fake's) is Nova's 501 and hands out no token", () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const driver = new FakeDriver({ host: 'compute-1' });
      await new NodeStore(db).upsert('compute-1', await driver.getAvailableResource(), driver.capabilities);
      const id = await insertInstance(db, 'demo');
      const refused = await call('POST', `/servers/${id}/remote-consoles`, { body: VNC, as: DEMO, version: '2.6' });
      assert.deepEqual([refused.status, refused.json], [501, { notImplemented: { code: 501, message: 'The requested functionality is not supported.' } }]);
      assert.deepEqual(recorded.agent, []);
    }));
});
