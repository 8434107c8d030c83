import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComputeDriver, LiveMigrationTarget, PowerOffOptions } from './driver.js';
import { DeviceBusy, DeviceNotFound, DriverOperationFailed, InstanceExists, InstanceInvalidState, InstanceNotFound } from './errors.js';
import type { FlavorSpec, ImageMeta, InstanceSpec, VifSpec, VolumeConnection } from './instance-spec.js';
import { PowerState } from './power-state.js';
import { describeContract, type ContractOptions } from '../../../test/support/contract-suite.js';

// The behaviour every ComputeDriver shares. Each driver's own test file calls
// describeComputeDriverContract and lists the cases it skips, each with the reason (Hono's router
// suite does the same).

/** Two hosts of one driver, so migrations have somewhere to go. */
export interface DriverHarness {
  /** The host under test. */
  readonly driver: ComputeDriver;
  /** A second host the first can migrate guests to. */
  readonly peer: ComputeDriver;
  /** An image both hosts can boot. */
  readonly image: ImageMeta;
  /** The interfaces to give test guests (empty where the host has no bridge to plug into). */
  readonly network: readonly VifSpec[];
  /** A fresh volume either host can attach. */
  createVolume(): Promise<VolumeConnection>;
  /** Removes every guest and file the test left on either host. */
  dispose(): Promise<void>;
}

type ContractCase = (harness: DriverHarness) => Promise<void>;

export const SMALL_FLAVOR: FlavorSpec = {
  id: 'contract-small',
  name: 'contract.small',
  vcpus: 1,
  memoryMb: 128,
  rootGb: 1,
  ephemeralGb: 0,
  swapMb: 0,
  extraSpecs: {},
};

const LARGER_FLAVOR: FlavorSpec = { ...SMALL_FLAVOR, id: 'contract-larger', name: 'contract.larger', vcpus: 2, memoryMb: 192, rootGb: 2 };
const QUICK_POWER_OFF: PowerOffOptions = { timeoutSeconds: 0, retryIntervalSeconds: 0 };
const KEEP_NOTHING = { destroyDisks: true };
const UNKNOWN_GUEST = { uuid: '00000000-0000-4000-8000-000000000000', name: 'instance-ffffffff' };
/** A port no test guest has: its bridge does not exist, so it is only ever refused. */
const STRAY_VIF: VifSpec = {
  id: '00000000-0000-4000-8000-0000000000ff',
  networkId: '00000000-0000-4000-8000-0000000000fe',
  mac: 'fa:16:3e:00:00:ff',
  bridge: 'brq00000000-00',
  devname: 'tap00000000-00',
  mtu: 1500,
  fixedIps: [],
};

export function contractInstance(harness: DriverHarness, flavor: FlavorSpec = SMALL_FLAVOR): InstanceSpec {
  const uuid = randomUUID();
  return {
    uuid,
    name: `instance-${uuid.slice(0, 8)}`,
    hostname: `contract-${uuid.slice(0, 8)}`,
    displayName: `contract ${uuid.slice(0, 8)}`,
    projectId: 'contract-project',
    launchIndex: 0,
    availabilityZone: 'nova',
    flavor,
    image: harness.image,
    userData: null,
    keyName: null,
    keyData: null,
    configDrive: false,
    metadata: {},
    network: harness.network,
    blockDevices: { rootDeviceName: '/dev/vda', volumes: [] },
  };
}

async function spawned(harness: DriverHarness, flavor?: FlavorSpec): Promise<InstanceSpec> {
  const instance = contractInstance(harness, flavor);
  await harness.driver.spawn(instance, { powerOn: true, adminPassword: null, reuseDisks: false });
  return instance;
}

async function powerStateOf(driver: ComputeDriver, instance: InstanceSpec): Promise<PowerState> {
  return (await driver.getInfo(instance)).powerState;
}

/** Runs a prepared live migration to its end and checks the guest now runs on the peer alone. */
async function completeLiveMigration({ driver, peer }: DriverHarness, instance: InstanceSpec, target: LiveMigrationTarget): Promise<void> {
    assert.equal(await driver.liveMigration(instance, target), 'completed');
    await peer.postLiveMigrationAtDestination(instance);
    await driver.postLiveMigrationAtSource(instance);
    assert.ok(!(await driver.listInstances()).includes(instance.uuid));
    assert.ok((await peer.listInstances()).includes(instance.uuid));
    assert.equal(await powerStateOf(peer, instance), PowerState.RUNNING);
}

const CASES = {
  'spawn leaves the guest RUNNING and listed': async (harness) => {
    const instance = await spawned(harness);
    assert.equal(await powerStateOf(harness.driver, instance), PowerState.RUNNING);
    assert.ok((await harness.driver.listInstances()).includes(instance.uuid));
  },

  'spawn with powerOn false leaves the guest SHUTDOWN': async (harness) => {
    const { driver } = harness;
    const instance = contractInstance(harness);
    await driver.spawn(instance, { powerOn: false, adminPassword: null, reuseDisks: false });
    assert.equal(await powerStateOf(driver, instance), PowerState.SHUTDOWN);
  },

  'spawn of a uuid already defined is refused and keeps the first guest': async (harness) => {
    const instance = await spawned(harness);
    await assert.rejects(harness.driver.spawn(instance, { powerOn: true, adminPassword: null, reuseDisks: false }), InstanceExists);
    assert.equal(await powerStateOf(harness.driver, instance), PowerState.RUNNING);
  },

  'cacheImage fetches an image once (cached, then existing) and a guest boots after it': async (harness) => {
    const { driver, image } = harness;
    assert.equal(await driver.cacheImage(image), 'cached');
    assert.equal(await driver.cacheImage(image), 'existing');
    const instance = await spawned(harness);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'destroy removes the guest and is idempotent': async (harness) => {
    const instance = await spawned(harness);
    await harness.driver.destroy(instance, KEEP_NOTHING);
    assert.ok(!(await harness.driver.listInstances()).includes(instance.uuid));
    await assert.rejects(harness.driver.getInfo(instance), InstanceNotFound);
    await harness.driver.destroy(instance, KEEP_NOTHING);
  },

  'power off leaves SHUTDOWN and power on RUNNING, each idempotent': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.powerOff(instance, QUICK_POWER_OFF);
    assert.equal(await powerStateOf(driver, instance), PowerState.SHUTDOWN);
    await driver.powerOff(instance, QUICK_POWER_OFF);
    assert.equal(await powerStateOf(driver, instance), PowerState.SHUTDOWN);
    await driver.powerOn(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.powerOn(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'soft and hard reboot leave the guest RUNNING, even from paused or stopped': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.reboot(instance, 'soft');
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.reboot(instance, 'hard');
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.pause(instance);
    await driver.reboot(instance, 'hard');
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.powerOff(instance, QUICK_POWER_OFF);
    await driver.reboot(instance, 'soft');
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'pause leaves PAUSED and unpause RUNNING': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.pause(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.PAUSED);
    await driver.unpause(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'suspend leaves SUSPENDED and resume RUNNING, from running or paused': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.suspend(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.SUSPENDED);
    await driver.resume(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.pause(instance);
    await driver.suspend(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.SUSPENDED);
    await driver.resume(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'rescue and unrescue both leave the guest RUNNING': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.rescue(instance, { rescueImage: harness.image, adminPassword: 'rescue-me' });
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await assert.rejects(driver.rescue(instance, { rescueImage: harness.image, adminPassword: null }), InstanceInvalidState);
    await driver.unrescue(instance);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    await driver.powerOff(instance, QUICK_POWER_OFF);
    await driver.rescue(instance, { rescueImage: harness.image, adminPassword: null });
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'snapshot yields the disk bytes and leaves the guest as it was': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.pause(instance);
    const snapshot = await driver.snapshot(instance);
    const chunks: Buffer[] = [];
    for await (const chunk of snapshot.data) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.ok(bytes.length > 0);
    assert.equal(bytes.length, snapshot.sizeBytes);
    assert.ok(driver.capabilities.imageFormats.includes(snapshot.diskFormat));
    assert.equal(await powerStateOf(driver, instance), PowerState.PAUSED);
  },

  'console output is not empty after spawn': async (harness) => {
    const instance = await spawned(harness);
    // A real guest writes its first line a moment after its hypervisor starts.
    const deadline = Date.now() + 30_000;
    while ((await harness.driver.getConsoleOutput(instance)).trim() === '' && Date.now() < deadline) await sleep(100);
    assert.notEqual((await harness.driver.getConsoleOutput(instance)).trim(), '');
  },

  'resources count the guests spawned and stop counting destroyed ones': async (harness) => {
    const { driver } = harness;
    const before = await driver.getAvailableResource();
    assert.equal(before.hypervisorHostname, driver.host);
    assert.ok(before.vcpus > 0 && before.memoryMb > 0 && before.localGb > 0);
    const instance = await spawned(harness, LARGER_FLAVOR);
    const during = await driver.getAvailableResource();
    assert.equal(during.vcpusUsed - before.vcpusUsed, LARGER_FLAVOR.vcpus);
    assert.equal(during.memoryMbUsed - before.memoryMbUsed, LARGER_FLAVOR.memoryMb);
    assert.equal(during.localGbUsed - before.localGbUsed, LARGER_FLAVOR.rootGb);
    assert.equal(during.runningVms - before.runningVms, 1);
    await driver.destroy(instance, KEEP_NOTHING);
    const after = await driver.getAvailableResource();
    const used = ({ vcpusUsed, memoryMbUsed, localGbUsed }: typeof after): number[] => [vcpusUsed, memoryMbUsed, localGbUsed];
    assert.deepEqual(used(after), used(before));
  },

  'operations on an unknown guest throw InstanceNotFound': async (harness) => {
    const { driver } = harness;
    const unknown = { ...contractInstance(harness), ...UNKNOWN_GUEST };
    const volume = { volumeId: randomUUID(), mountpoint: '/dev/vdb', connection: await harness.createVolume() };
    const calls: [string, () => Promise<unknown>][] = [
      ['getInfo', () => driver.getInfo(unknown)],
      ['getConsoleOutput', () => driver.getConsoleOutput(unknown)],
      ['powerOff', () => driver.powerOff(unknown, QUICK_POWER_OFF)],
      ['powerOn', () => driver.powerOn(unknown)],
      ['reboot', () => driver.reboot(unknown, 'hard')],
      ['pause', () => driver.pause(unknown)],
      ['unpause', () => driver.unpause(unknown)],
      ['suspend', () => driver.suspend(unknown)],
      ['resume', () => driver.resume(unknown)],
      ['rescue', () => driver.rescue(unknown, { rescueImage: harness.image, adminPassword: null })],
      ['unrescue', () => driver.unrescue(unknown)],
      ['snapshot', () => driver.snapshot(unknown)],
      ['attachVolume', () => driver.attachVolume(unknown, volume)],
      ['detachVolume', () => driver.detachVolume(unknown, volume.volumeId)],
      ['extendVolume', () => driver.extendVolume(unknown, volume.volumeId, 2 * 1024 ** 3)],
      ['attachInterface', () => driver.attachInterface(unknown, STRAY_VIF)],
      ['detachInterface', () => driver.detachInterface(unknown, STRAY_VIF)],
      ['plugVifs', () => driver.plugVifs(unknown, harness.network)],
      ['unplugVifs', () => driver.unplugVifs(unknown, harness.network)],
      ['migrateDiskAndPowerOff', () => driver.migrateDiskAndPowerOff(unknown, harness.peer.host, SMALL_FLAVOR, QUICK_POWER_OFF)],
      ['liveMigration', () => driver.liveMigration(unknown, { host: harness.peer.host, blockMigration: false, incoming: null, diskExport: null })],
    ];
    for (const [operation, call] of calls) {
      await assert.rejects(call(), InstanceNotFound, operation);
    }
  },

  'operations the guest state forbids throw InstanceInvalidState': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await assert.rejects(driver.unpause(instance), InstanceInvalidState);
    await assert.rejects(driver.resume(instance), InstanceInvalidState);
    await assert.rejects(driver.unrescue(instance), InstanceInvalidState);
    await driver.powerOff(instance, QUICK_POWER_OFF);
    await assert.rejects(driver.pause(instance), InstanceInvalidState);
    await assert.rejects(driver.suspend(instance), InstanceInvalidState);
    assert.equal(await powerStateOf(driver, instance), PowerState.SHUTDOWN);
  },

  'cold migration then confirm moves the guest to the destination': async (harness) => {
    const { driver, peer } = harness;
    const instance = await spawned(harness);
    const migration = { id: randomUUID(), sourceHost: driver.host, destHost: peer.host };
    const resized = { ...instance, flavor: LARGER_FLAVOR };
    const disks = await driver.migrateDiskAndPowerOff(instance, peer.host, LARGER_FLAVOR, QUICK_POWER_OFF);
    assert.equal(disks.sourceHost, driver.host);
    assert.ok(!(await driver.listInstances()).includes(instance.uuid));
    await peer.finishMigration(migration, resized, disks, { resizeInstance: true, powerOn: true });
    assert.equal(await powerStateOf(peer, instance), PowerState.RUNNING);
    const sourceBeforeConfirm = await driver.getAvailableResource();
    await driver.confirmMigration(migration, instance);
    const sourceAfterConfirm = await driver.getAvailableResource();
    assert.equal(sourceBeforeConfirm.memoryMbUsed - sourceAfterConfirm.memoryMbUsed, SMALL_FLAVOR.memoryMb);
    await driver.confirmMigration(migration, instance);
    assert.ok(!(await driver.listInstances()).includes(instance.uuid));
  },

  'cold migration then revert brings the guest back to the source': async (harness) => {
    const { driver, peer } = harness;
    const instance = await spawned(harness);
    const migration = { id: randomUUID(), sourceHost: driver.host, destHost: peer.host };
    const disks = await driver.migrateDiskAndPowerOff(instance, peer.host, LARGER_FLAVOR, QUICK_POWER_OFF);
    await peer.finishMigration(migration, { ...instance, flavor: LARGER_FLAVOR }, disks, { resizeInstance: true, powerOn: true });
    await peer.destroy(instance, KEEP_NOTHING);
    await driver.finishRevertMigration(migration, instance, { powerOn: true });
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    assert.ok(!(await peer.listInstances()).includes(instance.uuid));
  },

  'live migration moves the running guest to the destination': async (harness) => {
    const { driver, peer } = harness;
    const instance = await spawned(harness);
    const target = await peer.preLiveMigration(instance, { sourceHost: driver.host, blockMigration: false });
    await completeLiveMigration(harness, instance, target);
  },

  'block live migration moves the running guest and its disk to the destination': async (harness) => {
    const { driver, peer } = harness;
    const instance = await spawned(harness);
    const target = await peer.preLiveMigration(instance, { sourceHost: driver.host, blockMigration: true });
    assert.ok(!(await peer.listInstances()).includes(instance.uuid));
    await completeLiveMigration(harness, instance, target);
  },

  'a live migration into an unprepared host fails and leaves the guest running on the source': async (harness) => {
    const { driver, peer } = harness;
    const instance = await spawned(harness);
    const target = { host: peer.host, blockMigration: false, incoming: null, diskExport: null };
    await assert.rejects(driver.liveMigration(instance, target), DriverOperationFailed);
    await peer.rollbackLiveMigrationAtDestination(instance, KEEP_NOTHING);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
    assert.ok(!(await peer.listInstances()).includes(instance.uuid));
  },

  'a volume attaches once, grows while attached, and detaches once': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    const attachment = { volumeId: randomUUID(), mountpoint: '/dev/vdb', connection: await harness.createVolume() };
    await driver.attachVolume(instance, attachment);
    await assert.rejects(driver.attachVolume(instance, attachment), DeviceBusy);
    await driver.extendVolume(instance, attachment.volumeId, 2 * 1024 ** 3);
    await driver.detachVolume(instance, attachment.volumeId);
    await assert.rejects(driver.detachVolume(instance, attachment.volumeId), DeviceNotFound);
    await assert.rejects(driver.extendVolume(instance, attachment.volumeId, 2 * 1024 ** 3), DeviceNotFound);
  },

  'detaching an interface the guest does not have throws DeviceNotFound, and the guest runs on': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await assert.rejects(driver.detachInterface(instance, STRAY_VIF), DeviceNotFound);
    const [plugged] = harness.network;
    if (plugged !== undefined) await assert.rejects(driver.attachInterface(instance, plugged), DeviceBusy);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },

  'plugging and unplugging interfaces is idempotent': async (harness) => {
    const { driver } = harness;
    const instance = await spawned(harness);
    await driver.plugVifs(instance, harness.network);
    await driver.plugVifs(instance, harness.network);
    await driver.unplugVifs(instance, harness.network);
    await driver.unplugVifs(instance, harness.network);
    assert.equal(await powerStateOf(driver, instance), PowerState.RUNNING);
  },
} satisfies Record<string, ContractCase>;

export type DriverContractTest = keyof typeof CASES;

/**
 * The contract every ComputeDriver meets, run on a fresh pair of hosts per case. Each driver's own
 * test file calls it and lists the cases it skips, each with the reason.
 */
export function describeComputeDriverContract(name: string, create: () => Promise<DriverHarness>, options?: ContractOptions<DriverContractTest>): void {
  describeContract(`virt driver contract: ${name}`, CASES, create, options);
}
