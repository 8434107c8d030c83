import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { consoleToken, openConsole } from '../support/console-client.js';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 17's VNC console through Debian's openstack CLI and a websocket client: a real TCG guest's
// VNC server behind the console proxy, reached once per token.
const skip = qemuCliUnavailable();

describe('VNC console of a real guest (qemu driver, openstack CLI)', { skip }, () => {
  let cloud: QemuCliCloud;

  before(async () => {
    cloud = await startQemuCliCloud('vnc', 1);
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
  });
  after(async () => {
    await cloud?.stop(['vm1']);
  });

  const consoleUrl = async () => (await openstackJson<{ type: string; url: string }>(cloud.admin, ['console', 'url', 'show', '--novnc', 'vm1'])).url;

  test("`console url show --novnc` gives a URL whose page loads and whose websocket reaches the guest's VNC server once", async () => {
    const url = await consoleUrl();
    assert.match(url, /\/novnc\/vnc_lite\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module"[^>]*src="\/dashboard\/assets\/vnc_lite-/);

    const first = await openConsole(url);
    assert.equal(first.status, 101);
    assert.match(first.firstBytes.toString('latin1'), /^RFB 003\.00\d\n/, 'the RFB greeting of QEMU\'s VNC server');
    const reused = await openConsole(url);
    assert.deepEqual([reused.status, reused.firstBytes.length], [401, 0], 'a used token: 401 and no bytes');
    const wrong = await openConsole(url.replace(/%3D[0-9a-f-]{36}$/, '%3D00000000-0000-4000-8000-000000000000'));
    assert.deepEqual([wrong.status, wrong.firstBytes.length], [401, 0], 'a wrong token: 401 and no bytes');
  });

  test("the admin looks a token up without using it; a stopped guest has no console (409)", async () => {
    const url = await consoleUrl();
    const token = consoleToken(url);
    const issued = await openstack(cloud.admin, ['token', 'issue', '-f', 'value', '-c', 'id']);
    const shown = await fetch(`${new URL(url).origin}/compute/v2.1/os-console-auth-tokens/${token}`, {
      headers: { 'x-auth-token': issued.stdout.trim(), 'openstack-api-version': 'compute 2.31' },
    });
    assert.equal(shown.status, 200);
    const { console } = (await shown.json()) as { console: { instance_uuid: string; host: string; internal_access_path: string } };
    assert.deepEqual([console.instance_uuid, console.host], [await cloud.idOf('vm1'), 'compute-1']);
    assert.equal(console.internal_access_path, (await cloud.instanceDir('vm1')).dir.vncSocket);
    assert.equal((await openConsole(url)).status, 101, 'the look-up left the token usable');

    await cloud.ok(['server', 'stop', 'vm1']);
    await cloud.waitForStatus('vm1', 'SHUTOFF');
    const refused = await openstack(cloud.admin, ['console', 'url', 'show', '--novnc', 'vm1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /409: .*Cannot get_vnc_console while the instance is in this state/);
  });
});
