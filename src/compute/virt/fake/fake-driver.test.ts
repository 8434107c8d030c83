import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriverHarness } from '../driver.contract.js';
import { SMALL_FLAVOR, contractInstance, describeComputeDriverContract } from '../driver.contract.js';
import type { SpawnOptions } from '../driver.js';
import { DriverOperationFailed, NotSupportedByDriver } from '../errors.js';
import type { ImageMeta, VifSpec } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import { FAKE_SNAPSHOT_BYTES } from './fake-disk-image.js';
import { FakeDriver } from './fake-driver.js';
import { FakeHypervisorFleet } from './fake-fleet.js';

const IMAGE: ImageMeta = {
  id: '6f1a3c57-3f0b-4b8e-9a55-5d1e1f2d0c11',
  name: 'nimbus-tiny',
  diskFormat: 'qcow2',
  containerFormat: 'bare',
  minDiskGb: 0,
  minRamMb: 0,
  properties: {},
};

const VIF: VifSpec = {
  id: 'a3f9c0de-5b1d-4c9e-8f3a-2e7b6d5c4b3a',
  networkId: 'b1c2d3e4-0000-4000-8000-000000000001',
  mac: 'fa:16:3e:00:00:01',
  bridge: 'brq-b1c2d3e4',
  devname: 'tapa3f9c0de-5b',
  mtu: 1450,
  fixedIps: [{ address: '10.0.0.5', version: 4, subnetId: 'c1c2d3e4-0000-4000-8000-000000000002' }],
};

const BOOT: SpawnOptions = { powerOn: true, adminPassword: null, reuseDisks: false };

interface FakeHarness extends DriverHarness {
  readonly driver: FakeDriver;
  readonly peer: FakeDriver;
}

function fakeHarness(): FakeHarness {
  const [driver, peer] = new FakeHypervisorFleet({ hosts: 2 }).drivers;
  assert.ok(driver !== undefined && peer !== undefined);
  return {
    driver,
    peer,
    image: IMAGE,
    network: [VIF],
    createVolume: async () => ({ driverVolumeType: 'file', path: '/dev/null' }),
    dispose: async () => {},
  };
}

describeComputeDriverContract('fake', async () => fakeHarness());

test('a planned fault fails the next spawn only and leaves nothing behind', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  driver.faults.failNext('spawn', { message: 'no space left on device' });
  const instance = contractInstance(harness);
  await assert.rejects(driver.spawn(instance, BOOT), (error: unknown) => {
    assert.ok(error instanceof DriverOperationFailed);
    assert.match(error.message, /spawn of instance .* failed: no space left on device/);
    return true;
  });
  assert.deepEqual(await driver.listInstances(), []);
  assert.equal((await driver.getAvailableResource()).memoryMbUsed, 0);
  await driver.spawn(instance, BOOT);
  assert.equal((await driver.getInfo(instance)).powerState, PowerState.RUNNING);
});

test('a fault aimed at one guest fails every call for it until cleared, and no other', async () => {
  const harness = fakeHarness();
  const { driver, peer } = harness;
  const target = contractInstance(harness);
  const bystander = contractInstance(harness);
  await driver.spawn(target, BOOT);
  await driver.spawn(bystander, BOOT);
  driver.faults.failEvery('liveMigration', { instanceUuid: target.uuid });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const prepared = await peer.preLiveMigration(target, { sourceHost: driver.host, blockMigration: false });
    await assert.rejects(driver.liveMigration(target, prepared), DriverOperationFailed);
    await peer.rollbackLiveMigrationAtDestination(target, { destroyDisks: true });
  }
  assert.equal(driver.inspect(target.uuid)?.powerState, PowerState.RUNNING);
  const prepared = await peer.preLiveMigration(bystander, { sourceHost: driver.host, blockMigration: false });
  assert.equal(await driver.liveMigration(bystander, prepared), 'completed');
  driver.faults.clear();
  const retried = await peer.preLiveMigration(target, { sourceHost: driver.host, blockMigration: false });
  assert.equal(await driver.liveMigration(target, retried), 'completed');
  assert.deepEqual((await peer.listInstances()).sort(), [target.uuid, bystander.uuid].sort());
});

test('a delayed operation is still pending while others run', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  driver.delays.set('spawn', 20);
  const instance = contractInstance(harness);
  const spawning = driver.spawn(instance, BOOT);
  assert.deepEqual(await driver.listInstances(), []);
  await spawning;
  assert.deepEqual(await driver.listInstances(), [instance.uuid]);
});

test('delays given at construction apply to their operation only', async () => {
  const driver = new FakeDriver({ host: 'compute-delayed', delaysMs: { pause: 20 } });
  const instance = contractInstance({ ...fakeHarness(), driver });
  await driver.spawn(instance, BOOT);
  const pausing = driver.pause(instance);
  assert.equal((await driver.getInfo(instance)).powerState, PowerState.RUNNING);
  await pausing;
  assert.equal((await driver.getInfo(instance)).powerState, PowerState.PAUSED);
});

test('aborting a live migration mid-copy leaves the guest on the source', async () => {
  const harness = fakeHarness();
  const { driver, peer } = harness;
  const instance = contractInstance(harness);
  await driver.spawn(instance, BOOT);
  // Far longer than the test may take: only the abort can end the copy.
  driver.delays.set('liveMigration', 600_000);
  const target = await peer.preLiveMigration(instance, { sourceHost: driver.host, blockMigration: false });
  const migrating = driver.liveMigration(instance, target);
  await driver.liveMigrationAbort(instance);
  assert.equal(await migrating, 'aborted');
  await peer.rollbackLiveMigrationAtDestination(instance, { destroyDisks: true });
  assert.deepEqual(await driver.listInstances(), [instance.uuid]);
  assert.deepEqual(await peer.listInstances(), []);
  await assert.rejects(driver.liveMigrationAbort(instance), DriverOperationFailed);
});

test('forcing a live migration to complete ends the copy and the guest arrives', async () => {
  const harness = fakeHarness();
  const { driver, peer } = harness;
  const instance = contractInstance(harness);
  await driver.spawn(instance, BOOT);
  driver.delays.set('liveMigration', 600_000);
  const target = await peer.preLiveMigration(instance, { sourceHost: driver.host, blockMigration: true });
  const migrating = driver.liveMigration(instance, target);
  await driver.liveMigrationForceComplete(instance);
  assert.equal(await migrating, 'completed');
  assert.equal(peer.inspect(instance.uuid)?.bootCount, 1);
});

test('a reboot boots the disk again, a resume or unpause does not', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  const instance = contractInstance(harness);
  await driver.spawn(instance, BOOT);
  await driver.reboot(instance, 'hard');
  await driver.suspend(instance);
  await driver.resume(instance);
  await driver.pause(instance);
  await driver.unpause(instance);
  assert.equal(driver.inspect(instance.uuid)?.bootCount, 2);
  assert.match(await driver.getConsoleOutput(instance), new RegExp(`${instance.hostname} ready\\n$`));
});

test('a resize on the same host keeps the source until confirmed', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  const instance = contractInstance(harness);
  const larger = { ...SMALL_FLAVOR, id: 'larger', memoryMb: 512 };
  const migration = { id: 'm-1', sourceHost: driver.host, destHost: driver.host };
  await driver.spawn(instance, BOOT);
  const disks = await driver.migrateDiskAndPowerOff(instance, driver.host, larger, { timeoutSeconds: 0, retryIntervalSeconds: 0 });
  await driver.finishMigration(migration, { ...instance, flavor: larger }, disks, { resizeInstance: true, powerOn: true });
  assert.equal((await driver.getAvailableResource()).memoryMbUsed, SMALL_FLAVOR.memoryMb + larger.memoryMb);
  await driver.confirmMigration(migration, instance);
  assert.equal((await driver.getAvailableResource()).memoryMbUsed, larger.memoryMb);
  assert.equal(driver.inspect(instance.uuid)?.flavor.memoryMb, larger.memoryMb);
  assert.equal(driver.inspect(instance.uuid)?.bootCount, 2);
});

test('a resize that would shrink the root disk is refused before the guest stops', async () => {
  const harness = fakeHarness();
  const { driver, peer } = harness;
  const instance = contractInstance(harness, { ...SMALL_FLAVOR, rootGb: 10 });
  await driver.spawn(instance, BOOT);
  await assert.rejects(
    driver.migrateDiskAndPowerOff(instance, peer.host, SMALL_FLAVOR, { timeoutSeconds: 0, retryIntervalSeconds: 0 }),
    DriverOperationFailed,
  );
  assert.equal(driver.inspect(instance.uuid)?.powerState, PowerState.RUNNING);
});

test('a capability turned off makes its operations NotSupportedByDriver', async () => {
  const driver = new FakeDriver({ host: 'compute-no-rescue', capabilities: { supportsRescue: false } });
  const instance = contractInstance({ ...fakeHarness(), driver });
  await driver.spawn(instance, BOOT);
  assert.equal(driver.capabilities.supportsRescue, false);
  assert.equal(driver.capabilities.supportsPause, true);
  await assert.rejects(driver.rescue(instance, { rescueImage: IMAGE, adminPassword: null }), NotSupportedByDriver);
});

test('volumes and interfaces given at spawn are attached and plugged', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  const volume = { volumeId: 'vol-1', mountpoint: '/dev/vdb', connection: await harness.createVolume() };
  const instance = { ...contractInstance(harness), blockDevices: { rootDeviceName: '/dev/vda', volumes: [volume] } };
  await driver.spawn(instance, BOOT);
  assert.deepEqual(driver.inspect(instance.uuid)?.volumeIds, ['vol-1']);
  assert.deepEqual(driver.inspect(instance.uuid)?.pluggedVifIds, [VIF.id]);
  await driver.unplugVifs(instance, [VIF]);
  assert.deepEqual(driver.inspect(instance.uuid)?.pluggedVifIds, []);
});

test('snapshots of the same guest state are the same raw bytes', async () => {
  const harness = fakeHarness();
  const { driver } = harness;
  const instance = contractInstance(harness);
  await driver.spawn(instance, BOOT);
  const read = async (): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of (await driver.snapshot(instance)).data) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const first = await read();
  assert.equal(first.length, FAKE_SNAPSHOT_BYTES);
  assert.deepEqual(await read(), first);
  assert.match(first.subarray(0, 512).toString('utf8'), new RegExp(`instance=${instance.uuid}`));
});

test('a fleet of 10,000 fake hosts is made at once and its hosts reach each other', async () => {
  const fleet = new FakeHypervisorFleet({ hosts: 10_000 });
  assert.equal(fleet.drivers.length, 10_000);
  assert.equal(fleet.registry.size, 10_000);
  assert.equal(fleet.drivers[0]?.host, 'compute-1');
  const last = fleet.driver('compute-10000');
  const first = fleet.drivers[0];
  assert.ok(first !== undefined && last !== undefined);
  const instance = contractInstance({ ...fakeHarness(), driver: first });
  await first.spawn(instance, BOOT);
  const target = await last.preLiveMigration(instance, { sourceHost: first.host, blockMigration: false });
  assert.equal(await first.liveMigration(instance, target), 'completed');
  assert.deepEqual(await last.listInstances(), [instance.uuid]);
  assert.equal((await fleet.drivers[4_999]?.getAvailableResource())?.vcpusUsed, 0);
});
