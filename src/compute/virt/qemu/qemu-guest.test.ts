import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { SMALL_FLAVOR, contractInstance } from '../driver.contract.js';
import { DriverOperationFailed } from '../errors.js';
import type { InstanceSpec } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import { InstanceDir } from './instance/instance-dir.js';
import { volumeConnectionOf } from '../../volumes/block-device.js';
import { NbdTarget } from '../../../volume/targets/nbd/nbd-target.js';
import { daemonsUnder, storageDaemonBinary } from '../../../volume/targets/nbd/storage-daemon.js';
import { runInGuest, waitForReady } from './testing/guest-console.js';
import { QEMU_SKIP, type QemuHarness, qemuHarness } from './testing/qemu-harness.js';

// What a user of a real guest sees, step by step on one reused guest (boots are the cost here).
const BOOT = { powerOn: true, adminPassword: null, reuseDisks: false };
const QUICK = { timeoutSeconds: 0, retryIntervalSeconds: 0 };

async function qemuPid(dir: InstanceDir): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(dir.pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid)) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(dir.qmpSocket) ? pid : undefined;
}

async function guestUptime(dir: InstanceDir): Promise<number> {
  return Number.parseFloat((await runInGuest(dir.consoleSocket, 'cut -d" " -f1 /proc/uptime')).split('\n').pop() ?? 'NaN');
}

describe('qemu driver on a real guest', { skip: QEMU_SKIP }, () => {
  let harness: QemuHarness;
  let guest: InstanceSpec;
  let dir: InstanceDir;
  let ready = 0;
  /** How many times the guest disk has booted (the ready line's boot=): each test that boots it adds one. */
  let diskBoots = 0;

  before(async () => {
    harness = await qemuHarness();
    guest = contractInstance(harness);
    dir = new InstanceDir(harness.driver.paths, guest.uuid);
  });
  after(async () => {
    await harness.dispose();
  });

  test('boot: the serial log shows the ready line; an idle guest costs about 200 MB', async (t) => {
    const started = Date.now();
    await harness.driver.spawn(guest, BOOT);
    const spawned = Date.now();
    const line = await waitForReady(harness.driver, guest, ++ready);
    assert.equal(line.boot, ++diskBoots);
    const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${await qemuPid(dir)}/status`, 'utf8'))?.[1];
    t.diagnostic(`spawn ${spawned - started} ms, spawn to ready line ${Date.now() - started} ms, RSS ${Math.round(Number(rss) / 1024)} MB (128 MB guest)`);
    assert.ok(Number(rss) < 400 * 1024);
  });

  test('stop then start and hard reboot each boot the guest again: boot counter +1', async () => {
    await harness.driver.powerOff(guest, { timeoutSeconds: 30, retryIntervalSeconds: 2 });
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.SHUTDOWN);
    assert.equal(await qemuPid(dir), undefined);
    assert.match(await harness.driver.getConsoleOutput(guest), /nimbus-tiny: powering off/);
    await harness.driver.powerOn(guest);
    assert.equal((await waitForReady(harness.driver, guest, ++ready)).boot, ++diskBoots);
    await harness.driver.reboot(guest, 'hard');
    assert.equal((await waitForReady(harness.driver, guest, ++ready)).boot, ++diskBoots);
  });

  test('pause freezes the guest, unpause lets it carry on', async () => {
    await harness.driver.pause(guest);
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.PAUSED);
    await assert.rejects(runInGuest(dir.consoleSocket, 'echo awake', 1500), /did not finish/);
    await harness.driver.unpause(guest);
    assert.match(await runInGuest(dir.consoleSocket, 'echo awake'), /awake/);
  });

  test('diagnostics: the guest\'s disk writes, its vCPUs and memory, its uptime; refused while paused', async (t) => {
    const before = await harness.driver.getDiagnostics(guest);
    await runInGuest(dir.consoleSocket, 'dd if=/dev/urandom of=/disk/diag bs=64k count=4 2>/dev/null; sync');
    const diagnostics = await harness.driver.getDiagnostics(guest);
    const [root] = diagnostics.disks;
    assert.equal(root?.device, 'vda');
    assert.ok((root?.writeBytes ?? 0) >= (before.disks[0]?.writeBytes ?? 0) + 256 * 1024, JSON.stringify(diagnostics.disks));
    assert.ok((root?.writeRequests ?? 0) > 0 && root?.errorsCount === 0);
    assert.equal(diagnostics.cpus.length, guest.flavor.vcpus);
    assert.ok(diagnostics.cpus.every((cpu) => (cpu.timeNs ?? 0) > 0), JSON.stringify(diagnostics.cpus));
    assert.equal(diagnostics.memory.maximumMb, guest.flavor.memoryMb);
    assert.ok((diagnostics.memory.usedMb ?? 0) > 0);
    assert.ok((diagnostics.uptimeSeconds ?? 0) > 0);
    assert.equal(diagnostics.hypervisor, harness.driver.accelerator === 'kvm' ? 'kvm' : 'qemu');
    t.diagnostic(`vda wrote ${root?.writeBytes} B in ${root?.writeRequests} requests, cpu0 ${diagnostics.cpus[0]?.timeNs} ns, RSS ${diagnostics.memory.usedMb} MB of ${diagnostics.memory.maximumMb} MB, uptime ${diagnostics.uptimeSeconds} s`);
    await harness.driver.pause(guest);
    await assert.rejects(harness.driver.getDiagnostics(guest), /paused. Cannot get_diagnostics/);
    await harness.driver.unpause(guest);
  });

  test('a hot-plugged volume shows up in the guest with its id as serial, and goes on detach', async () => {
    const volumeId = randomUUID();
    const connection = await harness.createVolume();
    await harness.driver.attachVolume(guest, { volumeId, mountpoint: '/dev/vdb', connection });
    const deadline = Date.now() + 15_000;
    while (!/disk added vdb/.test(await harness.driver.getConsoleOutput(guest)) && Date.now() < deadline) await sleep(100);
    // virtio-blk serials hold 20 bytes: the guest sees the id's first 20 characters, as with Nova.
    assert.equal(await runInGuest(dir.consoleSocket, 'cat /sys/block/vdb/serial'), volumeId.slice(0, 20));
    await harness.driver.detachVolume(guest, volumeId);
    const blocks = (await runInGuest(dir.consoleSocket, 'sleep 1.5; ls /sys/block')).split('\n');
    assert.ok(blocks.includes('vda') && !blocks.includes('vdb'), blocks.join(' '));
    assert.match(await harness.driver.getConsoleOutput(guest), /nimbus-tiny: disk removed vdb/);
  });

  test('a volume over NBD (another host\'s export, TLS with the attachment key): written in the guest, grown online, there after a hard reboot, detached leaving no key', { skip: storageDaemonBinary() === undefined ? 'qemu-storage-daemon is not installed' : false }, async () => {
    const exportsDir = join(harness.root, 'volume-exports');
    const target = new NbdTarget({ binary: storageDaemonBinary() as string, directory: exportsDir, address: '127.0.0.1', firstPort: 20_000 + randomInt(0, 20_000), portCount: 50 });
    const volumeId = randomUUID();
    const path = join(harness.root, `volume-${volumeId}`);
    await writeFile(path, '');
    await truncate(path, 16 * 1024 * 1024);
    try {
      await target.recover();
      const exported = await target.ensureExport({ volumeId, path, host: harness.driver.host, readOnly: false });
      const data = { host: exported.address, port: exported.port, export_name: exported.exportName, psk_identity: exported.pskIdentity, psk_key: exported.pskKey };
      const connection = volumeConnectionOf({ driver_volume_type: 'nbd', data });
      assert.ok(connection !== null && connection.driverVolumeType === 'nbd' && connection.psk !== undefined);
      await harness.driver.attachVolume(guest, { volumeId, mountpoint: '/dev/vdb', connection });
      const serial = () => runInGuest(dir.consoleSocket, 'cat /sys/block/vdb/serial 2>/dev/null; echo');
      for (const deadline = Date.now() + 15_000; (await serial()).trim() !== volumeId.slice(0, 20) && Date.now() < deadline; ) await sleep(200);
      const marker = `nbd-${volumeId}`;
      await runInGuest(dir.consoleSocket, `echo ${marker} | dd of=/dev/vdb conv=fsync 2>/dev/null`);
      assert.equal((await readFile(path)).subarray(0, marker.length).toString(), marker, 'the bytes are in the volume on its host');
      assert.deepEqual((await readdir(dir.runtime)).filter((name) => name.startsWith('psk-')).length, 1);

      // Online extend: the backend grows the file and makes the export again; the guest's disk follows, its data kept.
      const sectors = () => runInGuest(dir.consoleSocket, 'cat /sys/block/vdb/size');
      assert.equal(await sectors(), String((16 * 1024 * 1024) / 512));
      await truncate(path, 32 * 1024 * 1024);
      await target.refreshVolumeExports(volumeId);
      await harness.driver.extendVolume(guest, volumeId, 32 * 1024 * 1024);
      for (const deadline = Date.now() + 15_000; (await sectors()) !== String((32 * 1024 * 1024) / 512) && Date.now() < deadline; ) await sleep(200);
      assert.equal(await sectors(), String((32 * 1024 * 1024) / 512));
      assert.equal((await runInGuest(dir.consoleSocket, `dd if=/dev/vdb bs=${marker.length} count=1 2>/dev/null; echo`)).trim().split('\n').at(-1), marker);

      // A hard reboot starts QEMU again from the definition: the volume is a -blockdev over NBD with its key.
      await harness.driver.reboot(guest, 'hard');
      assert.equal((await waitForReady(harness.driver, guest, ++ready)).boot, ++diskBoots);
      assert.equal((await runInGuest(dir.consoleSocket, `dd if=/dev/vdb bs=${marker.length} count=1 2>/dev/null; echo`)).trim().split('\n').at(-1), marker);

      await harness.driver.detachVolume(guest, volumeId);
      assert.deepEqual((await readdir(dir.runtime)).filter((name) => name.startsWith('psk-')), [], 'the key file goes with the volume');
      await target.removeExport(volumeId, harness.driver.host);
      assert.deepEqual(daemonsUnder(exportsDir), []);
    } finally {
      for (const pid of daemonsUnder(exportsDir)) process.kill(pid, 'SIGKILL');
    }
  });

  test('suspend ends the QEMU process and keeps the state file; resume continues without a reboot', async (t) => {
    const uptimeBefore = await guestUptime(dir);
    await runInGuest(dir.consoleSocket, 'echo kept-in-memory > /tmp/marker');
    let started = Date.now();
    await harness.driver.suspend(guest);
    const suspendMs = Date.now() - started;
    assert.equal(await qemuPid(dir), undefined);
    assert.ok((await stat(dir.savedState)).size > 0);
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.SUSPENDED);
    started = Date.now();
    await harness.driver.resume(guest);
    const resumeMs = Date.now() - started;
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.RUNNING);
    assert.equal(await runInGuest(dir.consoleSocket, 'cat /tmp/marker'), 'kept-in-memory');
    assert.ok((await guestUptime(dir)) > uptimeBefore);
    assert.equal((await harness.driver.getConsoleOutput(guest)).match(/nimbus-tiny ready/g)?.length, ready);
    await assert.rejects(stat(dir.savedState));
    t.diagnostic(`suspend ${suspendMs} ms, resume ${resumeMs} ms`);
  });

  test('snapshot: a new server from the image boots holding a file written before it', async () => {
    await runInGuest(dir.consoleSocket, 'echo before-snapshot > /disk/marker; sync');
    const snapshot = await harness.driver.snapshot(guest);
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.RUNNING);
    const imagePath = join(harness.root, 'snapshot.qcow2');
    await pipeline(snapshot.data, createWriteStream(imagePath));
    assert.equal((await stat(imagePath)).size, snapshot.sizeBytes);
    const image = { ...harness.image, id: randomUUID(), name: 'snap' };
    harness.images.set(image.id, imagePath);
    const copy = { ...contractInstance(harness), image };
    await harness.driver.spawn(copy, BOOT);
    await waitForReady(harness.driver, copy, 1);
    const copyDir = new InstanceDir(harness.driver.paths, copy.uuid);
    assert.equal(await runInGuest(copyDir.consoleSocket, 'cat /disk/marker'), 'before-snapshot');
    await harness.driver.destroy(copy, { destroyDisks: true });
  });

  test('rescue boots the rescue image with the guest disk second; unrescue boots the guest disk', async () => {
    await harness.driver.rescue(guest, { rescueImage: harness.image, adminPassword: null });
    const rescueLine = await waitForReady(harness.driver, guest, ++ready);
    assert.equal(rescueLine.boot, 1, 'the rescue disk counts its own boots');
    assert.match(rescueLine.line, /disks=vda,vdb/);
    assert.match(await runInGuest(dir.consoleSocket, 'mount -t vfat /dev/vdb1 /mnt && cat /mnt/marker; umount /mnt'), /before-snapshot/);
    await harness.driver.unrescue(guest);
    assert.equal((await waitForReady(harness.driver, guest, ++ready)).boot, ++diskBoots);
    assert.match((await readdir(dir.path)).join(' '), /^(?!.*disk\.rescue)/);
  });

  test('a QEMU killed with SIGKILL reads SHUTDOWN; power on boots it again', async () => {
    process.kill((await qemuPid(dir)) ?? 0, 'SIGKILL');
    for (let i = 0; i < 50 && (await qemuPid(dir)) !== undefined; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await harness.driver.getInfo(guest)).powerState, PowerState.SHUTDOWN);
    await harness.driver.powerOn(guest);
    assert.equal((await waitForReady(harness.driver, guest, ++ready)).boot, ++diskBoots);
  });

  test('an agent restart leaves the guest running and the new driver re-attaches to it', async () => {
    const pid = await qemuPid(dir);
    await harness.driver.disconnect();
    const restarted = harness.restartDriver();
    await restarted.initHost();
    assert.equal((await restarted.getInfo(guest)).powerState, PowerState.RUNNING);
    assert.equal(await qemuPid(dir), pid);
    await restarted.pause(guest);
    assert.equal((await restarted.getInfo(guest)).powerState, PowerState.PAUSED);
    await restarted.powerOff(guest, QUICK);
  });

  test('block live migration: the guest runs on under the other host, memory, disk, config drive and uptime kept', async (t) => {
    // The destination builds its own config drive: only the root disk is mirrored.
    const mover = { ...contractInstance(harness), configDrive: true };
    const source = new InstanceDir(harness.driver.paths, mover.uuid);
    const destination = new InstanceDir(harness.peer.paths, mover.uuid);
    await harness.driver.spawn(mover, BOOT);
    await waitForReady(harness.driver, mover, 1);
    await runInGuest(source.consoleSocket, 'echo in-memory > /tmp/marker; echo on-disk > /disk/marker; sync');
    const uptimeBefore = await guestUptime(source);
    const started = Date.now();
    const target = await harness.peer.preLiveMigration(mover, { sourceHost: harness.driver.host, blockMigration: true });
    assert.equal(await harness.driver.liveMigration(mover, target), 'completed');
    await harness.peer.postLiveMigrationAtDestination(mover);
    await harness.driver.postLiveMigrationAtSource(mover);
    t.diagnostic(`block live migration of an idle 128 MB guest: ${Date.now() - started} ms from preLiveMigration to post`);
    assert.equal(await qemuPid(source), undefined);
    await assert.rejects(stat(source.path));
    await assert.rejects(stat(source.runtime));
    assert.equal((await harness.peer.getInfo(mover)).powerState, PowerState.RUNNING);
    assert.equal(await runInGuest(destination.consoleSocket, 'cat /tmp/marker /disk/marker'), 'in-memory\non-disk');
    assert.match(await runInGuest(destination.consoleSocket, 'mount -o ro /dev/vdb /mnt && cat /mnt/openstack/latest/meta_data.json; umount /mnt'), new RegExp(`"uuid":"${mover.uuid}"`));
    assert.ok((await guestUptime(destination)) > uptimeBefore);
    await harness.peer.destroy(mover, { destroyDisks: true });
  });

  test('resize to the other host: the guest boots there from its own disk with a config drive and sees the larger disk', async () => {
    const mover = { ...contractInstance(harness), configDrive: true };
    await harness.driver.spawn(mover, BOOT);
    await waitForReady(harness.driver, mover, 1);
    const larger = { ...SMALL_FLAVOR, id: 'larger', name: 'larger', rootGb: 2 };
    const migration = { id: randomUUID(), sourceHost: harness.driver.host, destHost: harness.peer.host };
    const disks = await harness.driver.migrateDiskAndPowerOff(mover, harness.peer.host, larger, { timeoutSeconds: 30, retryIntervalSeconds: 2 });
    await harness.peer.finishMigration(migration, { ...mover, flavor: larger }, disks, { resizeInstance: true, powerOn: true });
    const destination = new InstanceDir(harness.peer.paths, mover.uuid);
    // The console log came along with nothing else: the destination's log starts afresh.
    const arrived = await waitForReady(harness.peer, mover, 1);
    assert.equal(arrived.boot, 2);
    assert.match(arrived.line, /md=config-drive disks=vda,vdb/);
    assert.equal(await runInGuest(destination.consoleSocket, 'cat /sys/block/vda/size'), String((2 * 1024 ** 3) / 512));
    await harness.driver.confirmMigration(migration, mover);
    for (const dir of [harness.driver.paths.instances, harness.driver.paths.runtime]) {
      assert.deepEqual((await readdir(dir)).filter((entry) => entry.startsWith(mover.uuid)), []);
    }
    await harness.peer.destroy(mover, { destroyDisks: true });
  });

  test('a config drive gives the guest its hostname, key and user data, read-only, across a reboot', async () => {
    const configured: InstanceSpec = {
      ...contractInstance(harness),
      hostname: 'from-config-drive',
      configDrive: true,
      keyName: 'mykey',
      keyData: 'ssh-ed25519 AAAA test@nimbus',
      userData: Buffer.from('#!/bin/sh\necho user-data-ran > /tmp/user-data-marker\n').toString('base64'),
    };
    await harness.driver.spawn(configured, BOOT);
    const configuredDir = new InstanceDir(harness.driver.paths, configured.uuid);
    assert.match((await waitForReady(harness.driver, configured, 1)).line, /host=from-config-drive .*md=config-drive disks=vda,vdb/);
    assert.equal(
      await runInGuest(configuredDir.consoleSocket, 'cat /root/.ssh/authorized_keys /tmp/user-data-marker /sys/block/vdb/ro'),
      'ssh-ed25519 AAAA test@nimbus\nuser-data-ran\n1',
    );
    await harness.driver.reboot(configured, 'hard');
    assert.match((await waitForReady(harness.driver, configured, 2)).line, /host=from-config-drive .*md=config-drive disks=vda,vdb/);
    await harness.driver.destroy(configured, { destroyDisks: true });
    await assert.rejects(stat(configuredDir.configDrive));
  });

  test('an image that is not a disk of its declared format fails the build and leaves nothing', async () => {
    const bogus = join(harness.root, 'bogus.qcow2');
    await writeFile(bogus, randomBytes(64 * 1024));
    const image = { ...harness.image, id: randomUUID(), name: 'bogus' };
    harness.images.set(image.id, bogus);
    const instance = { ...contractInstance(harness), image };
    await assert.rejects(harness.driver.spawn(instance, BOOT), (error: unknown) => {
      assert.ok(error instanceof DriverOperationFailed);
      assert.match(error.message, new RegExp(`Image ${image.id} is not a valid qcow2 disk: its data is raw`));
      return true;
    });
    const dir = new InstanceDir(harness.driver.paths, instance.uuid);
    await assert.rejects(stat(dir.path));
    await assert.rejects(stat(dir.runtime));
    assert.ok(!(await harness.driver.listInstances()).includes(instance.uuid));
  });

  test('QEMU refusing to start fails the spawn with its stderr and leaves nothing', async () => {
    const instance = contractInstance(harness, { ...SMALL_FLAVOR, vcpus: 1000 });
    await assert.rejects(harness.driver.spawn(instance, BOOT), (error: unknown) => {
      assert.ok(error instanceof DriverOperationFailed);
      assert.match(error.message, /QEMU failed to start \(exit status 1\): .*CPUs/);
      return true;
    });
    const dir = new InstanceDir(harness.driver.paths, instance.uuid);
    await assert.rejects(stat(dir.path));
    await assert.rejects(stat(dir.runtime));
  });
});
