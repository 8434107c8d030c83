import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMALL_FLAVOR, contractInstance } from '../driver.contract.js';
import type { InstanceSpec } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import type { QemuDriver } from './driver.js';
import { InstanceDir, exists } from './instance/instance-dir.js';
import { runInGuest, waitForReady } from './testing/guest-console.js';
import { QEMU_SKIP, type QemuHarness, qemuHarness } from './testing/qemu-harness.js';

// Two hosts on one instance storage (qemu-a and qemu-c), one real guest carried through a live
// migration, a host crash with evacuation, and a resize with revert: its disk never leaves.
const BOOT = { powerOn: true, adminPassword: null, reuseDisks: false };
const CLEAN = { timeoutSeconds: 30, retryIntervalSeconds: 2 };

const uptimeOf = async (dir: InstanceDir) => Number.parseFloat((await runInGuest(dir.consoleSocket, 'cut -d" " -f1 /proc/uptime')).split('\n').pop() ?? 'NaN');
const inodeOf = async (path: string) => (await stat(path)).ino;

/** A host crash as far as the guest goes: its QEMU is killed, nobody shuts it down. */
async function killGuest(driver: QemuDriver, dir: InstanceDir, guest: InstanceSpec): Promise<void> {
  process.kill(Number.parseInt(await readFile(dir.pidFile, 'utf8'), 10), 'SIGKILL');
  while ((await driver.getInfo(guest)).powerState !== PowerState.SHUTDOWN) await sleep(50);
}

describe('qemu hosts on shared instance storage', { skip: QEMU_SKIP }, () => {
  let harness: QemuHarness;
  let a: QemuDriver;
  let c: QemuDriver;
  let guest: InstanceSpec;
  let onA: InstanceDir;
  let onC: InstanceDir;

  before(async () => {
    harness = await qemuHarness();
    a = harness.driver;
    c = harness.sharedPeer;
    guest = contractInstance(harness);
    onA = new InstanceDir(a.paths, guest.uuid);
    onC = new InstanceDir(c.paths, guest.uuid);
  });
  after(async () => {
    await harness.dispose();
  });

  test('hosts on one storage name it alike; a host with its own names another', async () => {
    assert.equal(await a.instanceStorageId(), await c.instanceStorageId());
    assert.notEqual(await a.instanceStorageId(), await harness.peer.instanceStorageId());
  });

  test('live migration leaves the disk in place: the guest runs on under the other host, uptime kept', async (t) => {
    await a.spawn(guest, BOOT);
    await waitForReady(a, guest, 1);
    await runInGuest(onA.consoleSocket, 'echo in-memory > /tmp/marker; echo on-disk > /disk/marker; sync');
    const disk = await inodeOf(onA.rootDisk);
    const uptimeBefore = await uptimeOf(onA);
    assert.equal(await c.instanceOnDisk(guest), true);
    const started = Date.now();
    const target = await c.preLiveMigration(guest, { sourceHost: a.host, blockMigration: false });
    assert.deepEqual([target.blockMigration, target.diskExport], [false, null]);
    assert.equal(await a.liveMigration(guest, target), 'completed');
    await c.postLiveMigrationAtDestination(guest);
    await a.postLiveMigrationAtSource(guest);
    t.diagnostic(`shared-storage live migration of an idle 128 MB guest: ${Date.now() - started} ms from preLiveMigration to post`);
    assert.deepEqual([(await a.listInstances()).includes(guest.uuid), (await c.listInstances()).includes(guest.uuid)], [false, true]);
    assert.equal(await exists(onA.runtime), false);
    assert.equal(await inodeOf(onC.rootDisk), disk);
    assert.equal(await runInGuest(onC.consoleSocket, 'cat /tmp/marker /disk/marker'), 'in-memory\non-disk');
    assert.ok((await uptimeOf(onC)) > uptimeBefore);
  });

  test('evacuation after the host died boots the guest elsewhere from its own disk; the dead host coming back leaves it', async () => {
    await killGuest(c, onC, guest);
    assert.equal(await a.instanceOnDisk(guest), true);
    assert.equal(await harness.peer.instanceOnDisk(guest), false);
    await a.spawn(guest, { ...BOOT, reuseDisks: true });
    // The console log is on the shared storage too: this is its second ready line.
    assert.equal((await waitForReady(a, guest, 2)).boot, 2);
    assert.equal(await runInGuest(onA.consoleSocket, 'cat /disk/marker'), 'on-disk');
    // What the agent of the dead host does when it starts again (destroyEvacuatedInstances).
    await c.destroy(guest, { destroyDisks: true });
    assert.deepEqual([await exists(onC.runtime), await exists(onA.rootDisk)], [false, true]);
    assert.equal((await a.getInfo(guest)).powerState, PowerState.RUNNING);
  });

  test('a resize onto the other host copies the disk in place and grows it; revert brings the old one back', async () => {
    const larger = { ...SMALL_FLAVOR, id: 'larger', name: 'larger', rootGb: 2 };
    const migration = { id: randomUUID(), sourceHost: a.host, destHost: c.host };
    const disks = await a.migrateDiskAndPowerOff(guest, c.host, larger, CLEAN);
    await c.finishMigration(migration, { ...guest, flavor: larger }, disks, { resizeInstance: true, powerOn: true });
    assert.equal((await waitForReady(c, guest, 1)).boot, 3);
    assert.equal(await runInGuest(onC.consoleSocket, 'cat /sys/block/vda/size /disk/marker'), `${(2 * 1024 ** 3) / 512}\non-disk`);
    // Revert: the destination's copy goes, then the source's comes back under the old flavor.
    await c.destroy({ ...guest, flavor: larger }, { destroyDisks: true });
    await a.finishRevertMigration(migration, guest, { powerOn: true });
    // The old disk (and its console log, two ready lines long) is back: its counter had not seen the resized boot.
    assert.equal((await waitForReady(a, guest, 3)).boot, 3);
    assert.equal(await runInGuest(onA.consoleSocket, 'cat /sys/block/vda/size'), String((1024 ** 3) / 512));
    await a.destroy(guest, { destroyDisks: true });
    assert.deepEqual([await exists(onA.path), await exists(onA.runtime)], [false, false]);
  });
});
