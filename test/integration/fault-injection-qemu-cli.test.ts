import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runNimbus } from '../support/nimbus-process.js';
import { openstackJson } from '../support/openstack-cli.js';
import { pollUntil } from '../support/openstack-rest.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Failure injection (docs/FAULTS.md) on real QEMU guests: `nimbus fault inject` through the
// compute API as the admin of the openrc, against `nimbus up --driver qemu` with one host.
const skip = qemuCliUnavailable();

describe('failure injection on real guests (qemu driver)', { skip }, () => {
  let cloud: QemuCliCloud;

  /** `nimbus fault …` as the openrc's admin; asserts it succeeded and returns its output. */
  async function fault(args: readonly string[]): Promise<string> {
    const run = runNimbus(['fault', ...args], cloud.admin);
    assert.equal(await run.exited(), 0, run.output());
    return run.output();
  }

  /** The server's actions, newest first, once the newest has finished. */
  async function settledActions(server: string): Promise<Server[]> {
    // Polled over REST: 300 polls of `server show` took at least 600 s.
    await pollUntil(`${server} to finish its task`, async () => ((await cloud.rest.server(server))?.['OS-EXT-STS:task_state'] === null ? true : undefined), 600_000);
    return openstackJson<Server[]>(cloud.admin, ['server', 'event', 'list', server]);
  }

  before(async () => {
    cloud = await startQemuCliCloud('faults', 1);
  });
  after(async () => {
    await cloud.stop(['vm1', 'vm2']);
  });

  test('failing the next reboot of one guest records its fault; the other guest on the host reboots', async () => {
    for (const name of ['vm1', 'vm2']) {
      await cloud.ok(['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--nic', 'none', name]);
    }
    for (const name of ['vm1', 'vm2']) {
      await cloud.waitForStatus(name, 'ACTIVE');
      assert.equal((await cloud.nextBoot(name)).boot, 1);
    }
    const vm1 = await cloud.idOf('vm1');
    const injected = await fault(['inject', '--host', 'compute-1', '--kind', 'fail', '--operation', 'reboot', '--instance', vm1]);
    const id = /^([0-9a-f-]{36})\s+compute-1\s+fail\s+reboot\s/m.exec(injected)?.[1];
    assert.ok(id !== undefined, injected);
    assert.match(await fault(['list']), new RegExp(`${id}\\s+compute-1\\s+fail\\s+reboot\\s+${vm1}\\s+-\\s+1`));

    await cloud.ok(['server', 'reboot', '--hard', 'vm1']);
    const [reboot] = await settledActions('vm1');
    assert.equal(reboot?.['Action'], 'reboot');
    const shown = await openstackJson<Server>(cloud.admin, ['server', 'event', 'show', 'vm1', String(reboot?.['Request ID'])]);
    assert.match(JSON.stringify(shown['events']), new RegExp(`compute_reboot_instance.*Error.*injected failure \\(fault injection ${id}\\)`));
    // The driver was never asked: the guest did not boot again, and the injection is used up.
    assert.deepEqual(await cloud.bootsOf('vm1'), [1]);
    assert.match(await fault(['list']), /no active fault injections/);
    assert.match(cloud.nimbus.output(), new RegExp(`WARNING nimbus.compute.faults \\[${String(reboot?.['Request ID'])} .*Fault injection ${id} applied on compute-1: reboot fails`));

    await cloud.ok(['server', 'reboot', '--hard', 'vm2']);
    await cloud.waitForStatus('vm2', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm2')).boot, 2);

    // The injection acted once: vm1's next reboot works.
    await cloud.ok(['server', 'reboot', '--hard', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm1')).boot, 2);
  });
});
