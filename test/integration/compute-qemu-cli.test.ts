import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { runInGuest } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { killQemusUnder, qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';

// Issue 7 through Debian's openstack CLI: `nimbus up --driver qemu` with two hosts provides
// nimbus-tiny, and a real TCG guest boots, stops, starts, reboots, pauses, suspends, is
// snapshotted (a second guest boots from the snapshot), live-migrates and is deleted.
const skip = openstackCliUnavailable() || (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false);

type Server = Record<string, unknown>;

describe('real guests through the openstack CLI (qemu driver)', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-qemu-cli-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;
  const readyLines = new Map<string, number>();

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
  const bootsOf = async (server: string) =>
    [...(await ok(['console', 'log', 'show', server])).stdout.matchAll(/=== nimbus-tiny ready: host=\S+ boot=(\d+) /g)].map((match) => Number(match[1]));
  /** Waits for the next ready line on the guest's console and returns its boot counter. */
  async function nextBoot(server: string): Promise<number> {
    const wanted = (readyLines.get(server) ?? 0) + 1;
    readyLines.set(server, wanted);
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const boot = (await bootsOf(server))[wanted - 1];
      if (boot !== undefined) return boot;
      await sleep(200);
    }
    throw new Error(`${server} printed no ready line #${wanted}`);
  }
  /** Waits until the server has `count` migrations and the newest one ended; returns its status. */
  async function migrationOutcome(server: string, count: number): Promise<unknown> {
    const id = String((await show(server))['id']);
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const migrations = await openstackJson<Server[]>(admin, ['server', 'migration', 'list', '--server', id]);
      // Newest first, as Nova lists them.
      const status = migrations[0]?.['Status'];
      if (migrations.length === count && (status === 'completed' || status === 'error' || status === 'failed')) return status;
      await sleep(200);
    }
    throw new Error(`${server}: migration #${count} did not end`);
  }
  /** The guest's files on the host that runs it now. */
  async function instanceDir(server: string): Promise<{ host: string; dir: InstanceDir }> {
    const shown = await show(server);
    const host = String(shown['OS-EXT-SRV-ATTR:host']);
    return { host, dir: new InstanceDir(hostPaths(stateDir, host), String(shown['id'])) };
  }
  const inGuest = async (server: string, command: string, timeoutMs?: number) => runInGuest((await instanceDir(server)).dir.consoleSocket, command, timeoutMs);
  const uptime = async (server: string) => Number.parseFloat((await inGuest(server, 'cut -d" " -f1 /proc/uptime')).split('\n').pop() ?? 'NaN');

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'qemu', '--compute-hosts', '2']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  });
  after(async () => {
    // Guests outlive their agent by design: the test ends its own.
    await openstack(admin, ['server', 'delete', '--wait', 'vm1', 'vm2']);
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

  test('launch boots a real guest: ACTIVE, then its ready line on the console', async (t) => {
    const started = Date.now();
    await ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    const active = Date.now();
    assert.equal(await nextBoot('vm1'), 1);
    t.diagnostic(`create → ACTIVE ${active - started} ms, create → ready line ${Date.now() - started} ms (through the CLI)`);
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

  test('pause freezes the guest (QEMU reports it paused), unpause lets it carry on', async () => {
    await ok(['server', 'pause', 'vm1']);
    const paused = await waitForStatus('vm1', 'PAUSED');
    assert.equal(paused['OS-EXT-STS:power_state'], 3, 'QEMU reports the guest paused');
    await assert.rejects(inGuest('vm1', 'echo awake', 1500), /did not finish/);
    await ok(['server', 'unpause', 'vm1']);
    assert.equal((await waitForStatus('vm1', 'ACTIVE'))['OS-EXT-STS:power_state'], 1);
    assert.match(await inGuest('vm1', 'echo awake'), /awake/);
  });

  test('suspend ends the QEMU process and keeps the state file; resume continues the guest', async () => {
    await inGuest('vm1', 'echo kept-in-memory > /tmp/marker');
    const before = await uptime('vm1');
    await ok(['server', 'suspend', 'vm1']);
    await waitForStatus('vm1', 'SUSPENDED');
    assert.deepEqual(qemusUnder(stateDir), []);
    assert.ok(existsSync((await instanceDir('vm1')).dir.savedState));
    await ok(['server', 'resume', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    assert.equal(await inGuest('vm1', 'cat /tmp/marker'), 'kept-in-memory');
    assert.ok((await uptime('vm1')) > before);
    assert.equal((await bootsOf('vm1')).length, 4, 'resume must not boot the guest again');
  });

  test('image create snapshots the disk: a new server from that image boots and holds the marker', async () => {
    await inGuest('vm1', 'echo before-snapshot > /disk/marker; sync');
    await ok(['server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1']);
    const image = await openstackJson<Record<string, unknown>>(admin, ['image', 'show', 'vm1-snap']);
    assert.equal(image['status'], 'active');
    await ok(['server', 'create', '--image', 'vm1-snap', '--flavor', 'm1.tiny', 'vm2']);
    await waitForStatus('vm2', 'ACTIVE');
    assert.equal(await nextBoot('vm2'), 5);
    assert.equal(await inGuest('vm2', 'cat /disk/marker'), 'before-snapshot');
    await ok(['server', 'delete', '--wait', 'vm2']);
  });

  test('live migration without shared storage and without block migration is refused (400); the guest runs on', async () => {
    const source = await instanceDir('vm1');
    const refused = await openstack(admin, ['server', 'migrate', '--live-migration', '--shared-migration', 'vm1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`${source.host} is not on shared storage: Shared storage live-migration requires either shared storage or boot-from-volume with no local disks\\. \\(HTTP 400\\)`));
    assert.equal(await migrationOutcome('vm1', 1), 'error');
    const shown = await waitForStatus('vm1', 'ACTIVE');
    assert.equal(shown['OS-EXT-SRV-ATTR:host'], source.host);
    assert.match(await inGuest('vm1', 'echo still-here'), /still-here/);
  });

  test('live migration with block migration: ACTIVE on the other host, uptime continues', async (t) => {
    const source = await instanceDir('vm1');
    const before = await uptime('vm1');
    const started = Date.now();
    await ok(['server', 'migrate', '--live-migration', '--block-migration', 'vm1']);
    assert.equal(await migrationOutcome('vm1', 2), 'completed');
    await waitForStatus('vm1', 'ACTIVE');
    t.diagnostic(`block live migration through the CLI: ${Date.now() - started} ms`);
    const destination = await instanceDir('vm1');
    assert.notEqual(destination.host, source.host);
    assert.ok((await uptime('vm1')) > before);
    assert.equal(await inGuest('vm1', 'cat /tmp/marker /disk/marker'), 'kept-in-memory\nbefore-snapshot');
    assert.equal(existsSync(source.dir.path), false);
    assert.equal(qemusUnder(stateDir).length, 1);
  });

  test('delete ends the QEMU process and removes the instance directory', async () => {
    const { dir } = await instanceDir('vm1');
    await ok(['server', 'delete', '--wait', 'vm1']);
    assert.deepEqual(qemusUnder(stateDir), []);
    assert.equal(existsSync(dir.path), false);
  });
});
