import type { CapabilityFlag, DriverCapabilities } from '../capabilities.js';
import type {
  ComputeDriver,
  DestroyOptions,
  DriverOperation,
  DriverSnapshot,
  FinishMigrationOptions,
  InstanceInfo,
  LiveMigrationRequest,
  LiveMigrationResult,
  LiveMigrationTarget,
  MigratedDisks,
  MigrationRef,
  PowerOffOptions,
  RebootType,
  RescueOptions,
  SpawnOptions,
} from '../driver.js';
import {
  DeviceBusy,
  DeviceNotFound,
  DriverOperationFailed,
  InstanceExists,
  InstanceInvalidState,
  InstanceNotFound,
  NotSupportedByDriver,
} from '../errors.js';
import type { HostResources } from '../host-resources.js';
import type { FlavorSpec, ImageMeta, InstanceRef, InstanceSpec, VifSpec, VolumeAttachment } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import type { InstanceDiagnostics } from '../diagnostics.js';
import type { VncConsoleAddress } from '../console.js';
import { fakeDiagnostics } from './fake-diagnostics.js';
import { fakeSnapshot } from './fake-disk-image.js';
import type { FakeDisk, FakeGuest, FakeGuestView } from './fake-guest.js';
import { guestDiskGb, newGuest, viewGuest, writeBootLines, writeConsole } from './fake-guest.js';
import { FAKE_HOST_PROFILE } from './fake-host-profile.js';
import type { FakeHostSize } from './fake-host-profile.js';
import { FakeHostRegistry } from './fake-host-registry.js';
import { FaultPlan } from './fault-plan.js';
import type { DelayTable } from './operation-delays.js';
import { OperationDelays } from './operation-delays.js';

export interface FakeDriverOptions {
  readonly host: string;
  readonly size?: FakeHostSize;
  /** Where migrations find their destination; a lone driver gets a registry of its own. */
  readonly registry?: FakeHostRegistry;
  readonly delaysMs?: DelayTable;
  /** Turn capabilities off to exercise the API's 501s; everything is on by default. */
  readonly capabilities?: Partial<DriverCapabilities>;
}

/** A live migration under way from this host, which abort or force-complete can cut short. */
interface OutgoingLiveMigration {
  readonly wake: AbortController;
  result: LiveMigrationResult;
}

/**
 * An in-memory hypervisor for one host (Nova's FakeDriver, with real state): guests, power
 * states, a console log, resource use, migrations that move guests between hosts of one
 * registry, per-operation delays and injected faults. Cheap enough to run 10,000 in a process.
 */
export class FakeDriver implements ComputeDriver {
  readonly type = 'fake';
  readonly host: string;
  readonly capabilities: DriverCapabilities;
  readonly size: FakeHostSize;
  /** Failures to inject; see FaultPlan. */
  readonly faults = new FaultPlan();
  readonly delays: OperationDelays;

  readonly #registry: FakeHostRegistry;
  readonly #guests = new Map<string, FakeGuest>();
  readonly #cachedImages = new Set<string>();
  /** Guests powered off and sent away by migrateDiskAndPowerOff, kept until confirm or revert. */
  readonly #resizeSources = new Map<string, FakeGuest>();
  /** Disks received from a resize source, waiting for finishMigration. */
  readonly #arrivedDisks = new Map<string, FakeDisk>();
  /** Guests preLiveMigration prepared for, by uuid. */
  readonly #expectedLiveGuests = new Set<string>();
  readonly #outgoingLiveMigrations = new Map<string, OutgoingLiveMigration>();

  constructor(options: FakeDriverOptions) {
    this.host = options.host;
    this.size = options.size ?? FAKE_HOST_PROFILE.size;
    // Hosts without overrides share the profile's frozen object.
    this.capabilities =
      options.capabilities === undefined
        ? FAKE_HOST_PROFILE.capabilities
        : { ...FAKE_HOST_PROFILE.capabilities, ...options.capabilities };
    this.delays = new OperationDelays(options.delaysMs);
    this.#registry = options.registry ?? new FakeHostRegistry();
    this.#registry.register(this);
  }

  /** A guest as the fake hypervisor holds it, or undefined; for tests. */
  inspect(uuid: string): FakeGuestView | undefined {
    const guest = this.#guests.get(uuid);
    return guest === undefined ? undefined : viewGuest(guest);
  }

  /** For tests: the guest is gone from the hypervisor behind Nova's back (a crash that took its definition). */
  loseGuest(uuid: string): void {
    this.#guests.delete(uuid);
  }

  async initHost(): Promise<void> {
    await this.#begin('initHost', undefined);
  }

  /** Fake guests have no disks to copy: fake hosts count as one shared storage, so live migrations need no block copy. */
  async instanceStorageId(): Promise<string> {
    return 'fake';
  }

  /** No disks, so none to boot an evacuated guest from: it is rebuilt from its image. */
  async instanceOnDisk(): Promise<boolean> {
    return false;
  }

  async listInstances(): Promise<string[]> {
    await this.#begin('listInstances', undefined);
    return [...this.#guests.keys()];
  }

  async getInfo(instance: InstanceRef): Promise<InstanceInfo> {
    await this.#begin('getInfo', instance.uuid);
    return { powerState: this.#guest(instance.uuid).powerState };
  }

  async getConsoleOutput(instance: InstanceRef): Promise<string> {
    this.#require('supportsConsoleOutput', 'getConsoleOutput');
    await this.#begin('getConsoleOutput', instance.uuid);
    return `${this.#guest(instance.uuid).console.join('\n')}\n`;
  }

  async getVncConsole(instance: InstanceRef): Promise<VncConsoleAddress> {
    this.#require('supportsVncConsole', 'getVncConsole');
    await this.#begin('getVncConsole', instance.uuid);
    // A profile that claims the capability gets an address nothing listens at: the proxy's connect fails.
    return { host: this.host, socketPath: `/nonexistent/fake-vnc/${instance.uuid}.sock` };
  }

  /** Fake hosts keep no image data: the cache is the set of image ids asked for. */
  async cacheImage(image: ImageMeta): Promise<'cached' | 'existing'> {
    await this.#begin('cacheImage', undefined);
    if (this.#cachedImages.has(image.id)) return 'existing';
    this.#cachedImages.add(image.id);
    return 'cached';
  }

  async getDiagnostics(instance: InstanceRef): Promise<InstanceDiagnostics> {
    await this.#begin('getDiagnostics', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (guest.powerState !== PowerState.RUNNING) throw new InstanceInvalidState(instance.uuid, 'get_diagnostics', guest.powerState);
    return fakeDiagnostics(guest);
  }

  async getAvailableResource(): Promise<HostResources> {
    await this.#begin('getAvailableResource', undefined);
    let vcpusUsed = 0;
    let memoryMbUsed = 0;
    let localGbUsed = 0;
    // A resize source keeps its place until confirmed, as the source's claim does.
    for (const guests of [this.#guests, this.#resizeSources]) {
      for (const { spec } of guests.values()) {
        vcpusUsed += spec.flavor.vcpus;
        memoryMbUsed += spec.flavor.memoryMb;
        localGbUsed += guestDiskGb(spec);
      }
    }
    return {
      hypervisorHostname: this.host,
      hypervisorType: 'fake',
      hypervisorVersion: FAKE_HOST_PROFILE.hypervisorVersion,
      vcpus: this.size.vcpus,
      vcpusUsed,
      memoryMb: this.size.memoryMb,
      memoryMbUsed,
      localGb: this.size.localGb,
      localGbUsed,
      runningVms: this.#guests.size,
      cpuInfo: FAKE_HOST_PROFILE.cpuInfo,
    };
  }

  async spawn(instance: InstanceSpec, options: SpawnOptions): Promise<void> {
    await this.#begin('spawn', instance.uuid);
    if (this.#guests.has(instance.uuid)) throw new InstanceExists(instance.uuid);
    const guest = newGuest(instance, { bootCount: 0 }, PowerState.SHUTDOWN);
    this.#guests.set(instance.uuid, guest);
    if (options.powerOn) this.#boot(guest, instance.image.id);
  }

  async destroy(instance: InstanceSpec, _options: DestroyOptions): Promise<void> {
    await this.#begin('destroy', instance.uuid);
    this.#guests.delete(instance.uuid);
    this.#arrivedDisks.delete(instance.uuid);
    this.#expectedLiveGuests.delete(instance.uuid);
  }

  async powerOff(instance: InstanceRef, _options: PowerOffOptions): Promise<void> {
    await this.#begin('powerOff', instance.uuid);
    this.#shutDown(this.#guest(instance.uuid));
  }

  async powerOn(instance: InstanceSpec): Promise<void> {
    await this.#begin('powerOn', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (guest.powerState !== PowerState.RUNNING) this.#boot(guest, instance.image.id);
  }

  async reboot(instance: InstanceSpec, type: RebootType): Promise<void> {
    await this.#begin('reboot', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (type === 'soft' && guest.powerState === PowerState.RUNNING) writeConsole(guest, 'nimbus-fake: reboot requested by ACPI');
    this.#boot(guest, instance.image.id);
  }

  async pause(instance: InstanceRef): Promise<void> {
    this.#require('supportsPause', 'pause');
    await this.#begin('pause', instance.uuid);
    this.#transition(instance.uuid, 'pause', [PowerState.RUNNING], PowerState.PAUSED);
  }

  async unpause(instance: InstanceRef): Promise<void> {
    this.#require('supportsPause', 'unpause');
    await this.#begin('unpause', instance.uuid);
    this.#transition(instance.uuid, 'unpause', [PowerState.PAUSED], PowerState.RUNNING);
  }

  async suspend(instance: InstanceRef): Promise<void> {
    this.#require('supportsSuspend', 'suspend');
    await this.#begin('suspend', instance.uuid);
    this.#transition(instance.uuid, 'suspend', [PowerState.RUNNING, PowerState.PAUSED], PowerState.SUSPENDED);
  }

  async resume(instance: InstanceSpec): Promise<void> {
    this.#require('supportsSuspend', 'resume');
    await this.#begin('resume', instance.uuid);
    this.#transition(instance.uuid, 'resume', [PowerState.SUSPENDED], PowerState.RUNNING);
  }

  async rescue(instance: InstanceSpec, options: RescueOptions): Promise<void> {
    this.#require('supportsRescue', 'rescue');
    await this.#begin('rescue', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (guest.rescued) throw new InstanceInvalidState(instance.uuid, 'rescue', 'rescued');
    this.#expectState(guest, 'rescue', [PowerState.RUNNING, PowerState.SHUTDOWN]);
    // The rescue image boots, not the guest's disk: its boot count stays as it was.
    guest.rescued = true;
    guest.powerState = PowerState.RUNNING;
    writeConsole(guest, `nimbus-fake: rescue boot from image ${options.rescueImage.id}, own disk attached second`);
    writeConsole(guest, `nimbus-fake: ${instance.hostname} ready`);
  }

  async unrescue(instance: InstanceSpec): Promise<void> {
    this.#require('supportsRescue', 'unrescue');
    await this.#begin('unrescue', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (!guest.rescued) throw new InstanceInvalidState(instance.uuid, 'unrescue', 'not rescued');
    guest.rescued = false;
    this.#boot(guest, instance.image.id);
  }

  async snapshot(instance: InstanceRef): Promise<DriverSnapshot> {
    this.#require('supportsSnapshot', 'snapshot');
    await this.#begin('snapshot', instance.uuid);
    return fakeSnapshot(this.#guest(instance.uuid), this.host);
  }

  async migrateDiskAndPowerOff(
    instance: InstanceSpec,
    destHost: string,
    newFlavor: FlavorSpec,
    _options: PowerOffOptions,
  ): Promise<MigratedDisks> {
    this.#require('supportsColdMigration', 'migrateDiskAndPowerOff');
    await this.#begin('migrateDiskAndPowerOff', instance.uuid);
    const guest = this.#guest(instance.uuid);
    const destination = this.#peer(destHost, 'migrateDiskAndPowerOff', instance.uuid);
    if (destination === this) this.#require('supportsMigrateToSameHost', 'migrateDiskAndPowerOff to the same host');
    if (newFlavor.rootGb < guest.spec.flavor.rootGb) {
      throw new DriverOperationFailed('migrateDiskAndPowerOff', 'unable to resize the root disk down', { instanceUuid: instance.uuid });
    }
    this.#shutDown(guest);
    this.#guests.delete(instance.uuid);
    this.#resizeSources.set(instance.uuid, guest);
    destination.#arrivedDisks.set(instance.uuid, { ...guest.disk });
    const { flavor } = guest.spec;
    return {
      sourceHost: this.host,
      disks: [
        { name: 'root', format: 'raw', virtualSizeGb: flavor.rootGb },
        ...(flavor.ephemeralGb > 0 ? [{ name: 'ephemeral', format: 'raw', virtualSizeGb: flavor.ephemeralGb } as const] : []),
        ...(flavor.swapMb > 0 ? [{ name: 'swap', format: 'raw', virtualSizeGb: Math.ceil(flavor.swapMb / 1024) } as const] : []),
      ],
    };
  }

  async finishMigration(
    _migration: MigrationRef,
    instance: InstanceSpec,
    disks: MigratedDisks,
    options: FinishMigrationOptions,
  ): Promise<void> {
    this.#require('supportsColdMigration', 'finishMigration');
    await this.#begin('finishMigration', instance.uuid);
    if (this.#guests.has(instance.uuid)) throw new InstanceExists(instance.uuid);
    const disk = this.#arrivedDisks.get(instance.uuid);
    if (disk === undefined) {
      throw new DriverOperationFailed('finishMigration', `no disks arrived from ${disks.sourceHost}`, { instanceUuid: instance.uuid });
    }
    this.#arrivedDisks.delete(instance.uuid);
    const guest = newGuest(instance, disk, PowerState.SHUTDOWN);
    this.#guests.set(instance.uuid, guest);
    if (options.powerOn) this.#boot(guest, instance.image.id);
  }

  async confirmMigration(_migration: MigrationRef, instance: InstanceRef): Promise<void> {
    this.#require('supportsColdMigration', 'confirmMigration');
    await this.#begin('confirmMigration', instance.uuid);
    this.#resizeSources.delete(instance.uuid);
  }

  async finishRevertMigration(_migration: MigrationRef, instance: InstanceSpec, options: { readonly powerOn: boolean }): Promise<void> {
    this.#require('supportsColdMigration', 'finishRevertMigration');
    await this.#begin('finishRevertMigration', instance.uuid);
    const guest = this.#resizeSources.get(instance.uuid);
    if (guest === undefined) throw new InstanceNotFound(instance.uuid);
    if (this.#guests.has(instance.uuid)) throw new InstanceExists(instance.uuid);
    this.#resizeSources.delete(instance.uuid);
    guest.spec = instance;
    this.#guests.set(instance.uuid, guest);
    if (options.powerOn) this.#boot(guest, instance.image.id);
  }

  async preLiveMigration(instance: InstanceSpec, request: LiveMigrationRequest): Promise<LiveMigrationTarget> {
    this.#require(request.blockMigration ? 'supportsBlockMigration' : 'supportsLiveMigration', 'preLiveMigration');
    await this.#begin('preLiveMigration', instance.uuid);
    if (this.#guests.has(instance.uuid)) throw new InstanceExists(instance.uuid);
    this.#expectedLiveGuests.add(instance.uuid);
    return { host: this.host, blockMigration: request.blockMigration, incoming: null, diskExport: null };
  }

  async liveMigrationBlocker(): Promise<string | null> {
    return null;
  }

  async liveMigration(instance: InstanceRef, target: LiveMigrationTarget): Promise<LiveMigrationResult> {
    this.#require('supportsLiveMigration', 'liveMigration');
    const guest = this.#guest(instance.uuid);
    this.#expectState(guest, 'live-migrate', [PowerState.RUNNING, PowerState.PAUSED]);
    const destination = this.#peer(target.host, 'liveMigration', instance.uuid);
    if (destination === this) {
      throw new DriverOperationFailed('liveMigration', 'the destination is this host', { instanceUuid: instance.uuid });
    }
    const outgoing: OutgoingLiveMigration = { wake: new AbortController(), result: 'completed' };
    this.#outgoingLiveMigrations.set(instance.uuid, outgoing);
    try {
      // The configured delay is the copy phase; abort and force-complete end it early.
      await this.delays.wait('liveMigration', outgoing.wake.signal);
    } finally {
      this.#outgoingLiveMigrations.delete(instance.uuid);
    }
    if (outgoing.result === 'aborted') return 'aborted';
    this.faults.check('liveMigration', instance.uuid);
    // Looked up again: the guest may have been destroyed while it migrated.
    const migrated = this.#guest(instance.uuid);
    if (!destination.#expectedLiveGuests.delete(instance.uuid)) {
      const reason = `${target.host} was not prepared by preLiveMigration`;
      throw new DriverOperationFailed('liveMigration', reason, { instanceUuid: instance.uuid });
    }
    this.#guests.delete(instance.uuid);
    destination.#guests.set(instance.uuid, migrated);
    return 'completed';
  }

  async liveMigrationAbort(instance: InstanceRef): Promise<void> {
    this.#require('supportsLiveMigrationAbort', 'liveMigrationAbort');
    await this.#begin('liveMigrationAbort', instance.uuid);
    const outgoing = this.#outgoing(instance.uuid, 'liveMigrationAbort');
    outgoing.result = 'aborted';
    outgoing.wake.abort();
  }

  async liveMigrationForceComplete(instance: InstanceRef): Promise<void> {
    this.#require('supportsLiveMigrationForceComplete', 'liveMigrationForceComplete');
    await this.#begin('liveMigrationForceComplete', instance.uuid);
    this.#outgoing(instance.uuid, 'liveMigrationForceComplete').wake.abort();
  }

  async postLiveMigrationAtDestination(instance: InstanceSpec): Promise<void> {
    await this.#begin('postLiveMigrationAtDestination', instance.uuid);
    const guest = this.#guest(instance.uuid);
    guest.spec = instance;
    for (const vif of instance.network) guest.pluggedVifs.add(vif.id);
  }

  async postLiveMigrationAtSource(instance: InstanceSpec): Promise<void> {
    // The fake's guest left with the migration; nothing of it stays behind to remove.
    await this.#begin('postLiveMigrationAtSource', instance.uuid);
  }

  async rollbackLiveMigrationAtDestination(instance: InstanceSpec, _options: DestroyOptions): Promise<void> {
    await this.#begin('rollbackLiveMigrationAtDestination', instance.uuid);
    this.#expectedLiveGuests.delete(instance.uuid);
  }

  async attachVolume(instance: InstanceRef, attachment: VolumeAttachment): Promise<void> {
    this.#require('supportsAttachVolume', 'attachVolume');
    await this.#begin('attachVolume', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (guest.volumes.has(attachment.volumeId)) throw new DeviceBusy(attachment.volumeId);
    for (const attached of guest.volumes.values()) {
      if (attached.mountpoint === attachment.mountpoint) throw new DeviceBusy(attachment.mountpoint);
    }
    guest.volumes.set(attachment.volumeId, attachment);
  }

  async detachVolume(instance: InstanceRef, volumeId: string): Promise<void> {
    this.#require('supportsAttachVolume', 'detachVolume');
    await this.#begin('detachVolume', instance.uuid);
    if (!this.#guest(instance.uuid).volumes.delete(volumeId)) throw new DeviceNotFound(volumeId);
  }

  async extendVolume(instance: InstanceRef, volumeId: string, newSizeBytes: number): Promise<void> {
    this.#require('supportsAttachVolume', 'extendVolume');
    await this.#begin('extendVolume', instance.uuid);
    // The fake's volumes have no size of their own: it checks the volume is there, as a real guest would need.
    if (!this.#guest(instance.uuid).volumes.has(volumeId) || newSizeBytes <= 0) throw new DeviceNotFound(volumeId);
  }

  async attachInterface(instance: InstanceRef, vif: VifSpec): Promise<void> {
    this.#require('supportsAttachInterface', 'attachInterface');
    await this.#begin('attachInterface', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (guest.spec.network.some((attached) => attached.id === vif.id)) throw new DeviceBusy(vif.id);
    guest.spec = { ...guest.spec, network: [...guest.spec.network, vif] };
    guest.pluggedVifs.add(vif.id);
  }

  async detachInterface(instance: InstanceRef, vif: VifSpec): Promise<void> {
    this.#require('supportsAttachInterface', 'detachInterface');
    await this.#begin('detachInterface', instance.uuid);
    const guest = this.#guest(instance.uuid);
    if (!guest.spec.network.some((attached) => attached.id === vif.id)) throw new DeviceNotFound(vif.id);
    guest.spec = { ...guest.spec, network: guest.spec.network.filter((attached) => attached.id !== vif.id) };
    guest.pluggedVifs.delete(vif.id);
  }

  async plugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void> {
    await this.#begin('plugVifs', instance.uuid);
    const guest = this.#guest(instance.uuid);
    for (const vif of vifs) guest.pluggedVifs.add(vif.id);
  }

  async unplugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void> {
    await this.#begin('unplugVifs', instance.uuid);
    const guest = this.#guest(instance.uuid);
    for (const vif of vifs) guest.pluggedVifs.delete(vif.id);
  }

  /** What every operation does first: take its configured time, then fail if a fault is planned. */
  async #begin(operation: DriverOperation, instanceUuid: string | undefined): Promise<void> {
    await this.delays.wait(operation);
    this.faults.check(operation, instanceUuid);
  }

  #require(capability: CapabilityFlag, operation: string): void {
    if (!this.capabilities[capability]) throw new NotSupportedByDriver(this.type, operation);
  }

  #guest(uuid: string): FakeGuest {
    const guest = this.#guests.get(uuid);
    if (guest === undefined) throw new InstanceNotFound(uuid);
    return guest;
  }

  #peer(host: string, operation: DriverOperation, instanceUuid: string): FakeDriver {
    const peer = this.#registry.lookup(host);
    if (peer === undefined) throw new DriverOperationFailed(operation, `no fake host named ${host}`, { instanceUuid });
    return peer;
  }

  #outgoing(uuid: string, operation: DriverOperation): OutgoingLiveMigration {
    const outgoing = this.#outgoingLiveMigrations.get(uuid);
    if (outgoing === undefined) throw new DriverOperationFailed(operation, 'no live migration in progress', { instanceUuid: uuid });
    return outgoing;
  }

  #expectState(guest: FakeGuest, operation: string, allowed: readonly PowerState[]): void {
    if (!allowed.includes(guest.powerState)) throw new InstanceInvalidState(guest.spec.uuid, operation, guest.powerState);
  }

  #transition(uuid: string, operation: string, from: readonly PowerState[], to: PowerState): void {
    const guest = this.#guest(uuid);
    this.#expectState(guest, operation, from);
    guest.powerState = to;
  }

  #boot(guest: FakeGuest, bootImage: string): void {
    guest.disk.bootCount += 1;
    guest.powerState = PowerState.RUNNING;
    writeBootLines(guest, this.host, bootImage);
  }

  #shutDown(guest: FakeGuest): void {
    if (guest.powerState === PowerState.SHUTDOWN) return;
    writeConsole(guest, `nimbus-fake: ${guest.spec.hostname} powering off`);
    guest.powerState = PowerState.SHUTDOWN;
  }
}
