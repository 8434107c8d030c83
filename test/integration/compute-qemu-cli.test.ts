import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { killQemusUnder, qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';

// Issue 7 through Debian's openstack CLI: `nimbus up --driver qemu` provides nimbus-tiny, and a
// real TCG guest boots, stops, starts, reboots and is deleted.
const skip = openstackCliUnavailable() || (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false);

type Server = Record<string, unknown>;

describe('real guests through the openstack CLI (qemu driver)', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-qemu-cli-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;
  let readyLines = 0;

  const show = (server: string) => openstackJson<Server>(admin, ['server', 'show', server]);
  const ok = (args: readonly string[]) => openstackOk(admin, args);
  async function waitForStatus(server: string, status: string): Promise<Server> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const shown = await show(server);
      if (shown['status'] === status && shown['OS-EXT-STS:task_state'] === null) return shown;
      if (shown['status'] === 'ERROR') throw new Error(`${server} went to ERROR: ${JSON.stringify(shown['fault'])}`);
      await sleep(200);
    }
    throw new Error(`${server} never reached ${status}`);
  }
  /** Waits for the next ready line on the guest's console and returns its boot counter. */
  async function nextBoot(server: string): Promise<number> {
    readyLines += 1;
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const log = (await ok(['console', 'log', 'show', server])).stdout;
      const boots = [...log.matchAll(/=== nimbus-tiny ready: host=\S+ boot=(\d+) /g)].map((match) => Number(match[1]));
      const boot = boots[readyLines - 1];
      if (boot !== undefined) return boot;
      await sleep(200);
    }
    throw new Error(`${server} printed no ready line #${readyLines}`);
  }

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'qemu']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  });
  after(async () => {
    // Guests outlive their agent by design: the test ends its own.
    await openstack(admin, ['server', 'delete', '--wait', 'vm1']);
    killQemusUnder(stateDir);
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('the first run provides the public image nimbus-tiny and a QEMU hypervisor', async () => {
    const images = await openstackJson<Record<string, unknown>[]>(admin, ['image', 'list', '--public']);
    assert.deepEqual(
      images.map((image) => [image['Name'], image['Status']]),
      [['nimbus-tiny', 'active']],
    );
    const [hypervisor] = await openstackJson<Record<string, unknown>[]>(admin, ['hypervisor', 'list', '--long']);
    assert.equal(hypervisor?.['Hypervisor Type'], 'QEMU');
  });

  test('launch boots a real guest: ACTIVE, then its ready line on the console', async () => {
    await ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    assert.equal(await nextBoot('vm1'), 1);
    assert.equal(qemusUnder(stateDir).length, 1);
  });

  test('stop, start, hard and soft reboot each boot the guest again', async () => {
    await ok(['server', 'stop', 'vm1']);
    await waitForStatus('vm1', 'SHUTOFF');
    assert.deepEqual(qemusUnder(stateDir), []);
    await ok(['server', 'start', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    assert.equal(await nextBoot('vm1'), 2);
    await ok(['server', 'reboot', '--hard', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    assert.equal(await nextBoot('vm1'), 3);
    await ok(['server', 'reboot', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    assert.equal(await nextBoot('vm1'), 4);
  });

  test('delete ends the QEMU process and removes the instance directory', async () => {
    const id = String((await show('vm1'))['id']);
    await ok(['server', 'delete', '--wait', 'vm1']);
    assert.deepEqual(qemusUnder(stateDir), []);
    assert.deepEqual(readdirSync(join(stateDir, 'compute', 'compute-1', 'instances')).filter((entry) => entry === id), []);
  });
});
