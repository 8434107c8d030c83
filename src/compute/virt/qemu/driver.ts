import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger } from '../../../common/logging/logger.js';
import type { DriverCapabilities } from '../capabilities.js';
import type {
  ComputeDriver,
  DestroyOptions,
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
import { ConsoleTypeUnavailable, DeviceBusy, DeviceNotFound, DriverOperationFailed, InstanceExists, InstanceInvalidState, InstanceNotFound, NotSupportedByDriver } from '../errors.js';
import type { InstanceDiagnostics } from '../diagnostics.js';
import type { VncConsoleAddress } from '../console.js';
import type { HostResources } from '../host-resources.js';
import type { FlavorSpec, ImageMeta, InstanceRef, InstanceSpec, VifSpec, VolumeAttachment } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import { BOOT, type VmDefinition } from './argv/vm-definition.js';
import { BaseImageCache, type ImageDataSource } from './disk/base-images.js';
import { convertImage, createOverlay, rebaseUnsafe, resizeImage } from '../../../common/disk/qemu-img.js';
import { acpiShutdown } from './guest-power.js';
import { type Accelerator, detectAccelerator } from './host/accelerator.js';
import { hostCapacity, hostCpuInfo, qemuVersion } from './host/host-resources.js';
import { qemuSystemBinary } from './host/qemu-binary.js';
import { tapInUse } from '../../../common/host-net/taps.js';
import { plugTap, plugTaps, unplugTaps } from './host/vifs.js';
import { hasResizeSource, offerDisk, receiveDisk, removeResizeSource, resizeSource, restoreResizeSource, sendDisk } from './cold-migration.js';
import {
  type HostPaths,
  InstanceDir,
  checkSocketPathLength,
  claimStorage,
  definedInstances,
  exists,
  readDefinition,
  removeInstanceFiles,
  resizeSourceInstances,
  writeDefinition,
} from './instance/instance-dir.js';
import { definedDir, failing, monitorInState, rootBytes } from './guest-host.js';
import { LiveMigrationSteps } from './live-migration-steps.js';
import { saveState } from './managed-save.js';
import { qmp } from './qmp/index.js';
import { guestDiagnostics } from './guest-diagnostics.js';
import { GuestProcesses } from './guest-processes.js';
import { createConfigDrive, definedTaps, instanceDefinition, nicDefinition } from './instance-definition.js';
import { plugNic, unplugNic } from './nics.js';
import { Reverter } from './reverter.js';
import { growVolume, plugVolume, unplugVolume, volumeDefinition } from './volumes.js';

const LOG = getLogger('nimbus.compute.virt.qemu.driver');
/** Nova keeps the tail of the console log: what `openstack console log show` gets at most. */
const CONSOLE_OUTPUT_MAX_BYTES = 100 * 1024;

export const QEMU_CAPABILITIES: DriverCapabilities = Object.freeze({
  supportsPause: true,
  supportsSuspend: true,
  supportsRescue: true,
  supportsSnapshot: true,
  supportsConsoleOutput: true,
  supportsVncConsole: true,
  supportsColdMigration: true,
  supportsMigrateToSameHost: false,
  supportsLiveMigration: true,
  supportsBlockMigration: true,
  supportsLiveMigrationAbort: true,
  supportsLiveMigrationForceComplete: true,
  supportsEvacuate: true,
  supportsAttachVolume: true,
  supportsAttachInterface: true,
  imageFormats: Object.freeze(['raw', 'qcow2'] as const),
});

export interface QemuDriverOptions {
  readonly host: string;
  /** This host's instance storage (with `_base/`) and runtime directories (see hostPaths). */
  readonly paths: HostPaths;
  /** How base images are read from the image service. */
  readonly imageData: ImageDataSource;
  /** qemu-system-x86_64 by default, found on PATH. */
  readonly binary?: string;
  /** Detected by default: KVM where it works, TCG elsewhere. */
  readonly accelerator?: Accelerator;
  /** How long a soft reboot waits for the guest to power off before resetting it (Nova: 120 s). */
  readonly softRebootTimeoutSeconds?: number;
  /**
   * Where another host keeps its guests, as this host reaches them (agents of one machine): where a
   * cold migration copies the disk to. For a host it does not know (hosts apart), the disk is
   * served at migrationAddress for the destination to fetch, or found in storage they share.
   */
  readonly peerPaths?: (host: string) => HostPaths | undefined;
  /** The address other hosts reach this one's incoming migrations at (Nova's live_migration_inbound_addr). */
  readonly migrationAddress?: string;
}

/**
 * Runs guests as QEMU processes driven over QMP, with no libvirt between (Nova's libvirt driver,
 * by hand): one directory per guest holding its definition, disks, console log and sockets.
 */
export class QemuDriver implements ComputeDriver {
  readonly type = 'qemu';
  readonly host: string;
  readonly capabilities = QEMU_CAPABILITIES;
  readonly paths: HostPaths;
  readonly accelerator: Accelerator;

  readonly #binary: string;
  readonly #baseImages: BaseImageCache;
  readonly #softRebootTimeoutMs: number;
  readonly #peerPaths: (host: string) => HostPaths | undefined;
  readonly #migrationAddress: string;
  readonly #liveMigrations: LiveMigrationSteps;
  readonly #guests: GuestProcesses;
  #version: Promise<number> | undefined;

  constructor(options: QemuDriverOptions) {
    const binary = options.binary ?? qemuSystemBinary();
    if (binary === undefined) throw new Error('qemu-system-x86_64 is not installed (Debian package qemu-system-x86)');
    checkSocketPathLength(options.paths);
    this.host = options.host;
    this.paths = options.paths;
    this.#binary = binary;
    this.accelerator = options.accelerator ?? detectAccelerator();
    this.#baseImages = new BaseImageCache(options.paths.instances, options.imageData);
    this.#guests = new GuestProcesses(binary, options.paths);
    this.#softRebootTimeoutMs = (options.softRebootTimeoutSeconds ?? 120) * 1000;
    this.#migrationAddress = options.migrationAddress ?? '127.0.0.1';
    this.#liveMigrations = new LiveMigrationSteps(
      { host: this.host, accelerator: this.accelerator, guests: this.#guests, baseImages: this.#baseImages },
      this.#migrationAddress,
    );
    this.#peerPaths = options.peerPaths ?? (() => undefined);
  }

  async initHost(): Promise<void> {
    await Promise.all([mkdir(this.paths.instances, { recursive: true }), mkdir(this.paths.runtime, { recursive: true })]);
    const uuids = await definedInstances(this.paths);
    let running = 0;
    for (const uuid of uuids) if ((await this.#guests.monitor(uuid)) !== undefined) running += 1;
    LOG.info(`QEMU driver on ${this.host} (${this.accelerator.toUpperCase()}): ${uuids.length} instances defined, re-attached to ${running} running`);
  }

  /** Closes the QMP connections, as the agent's exit does; the guests keep running. */
  disconnect(): Promise<void> {
    return this.#guests.disconnect();
  }

  // Status

  async listInstances(): Promise<string[]> {
    return definedInstances(this.paths);
  }

  /** A random id kept in the storage's root: created by whichever host sharing it comes first. */
  async instanceStorageId(): Promise<string> {
    const path = join(this.paths.instances, '.storage-id');
    await mkdir(this.paths.instances, { recursive: true });
    await writeFile(path, `${randomUUID()}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return (await readFile(path, 'utf8')).trim();
  }

  async instanceOnDisk(instance: InstanceRef): Promise<boolean> {
    return exists(this.#dir(instance.uuid).rootDisk);
  }

  async getInfo(instance: InstanceRef): Promise<InstanceInfo> {
    await definedDir(this.#guests, instance);
    return { powerState: await this.#guests.powerState(instance.uuid) };
  }

  async getConsoleOutput(instance: InstanceRef): Promise<string> {
    const dir = await definedDir(this.#guests, instance);
    const log = await readFile(dir.consoleLog).catch(() => Buffer.alloc(0));
    return log.subarray(Math.max(0, log.length - CONSOLE_OUTPUT_MAX_BYTES)).toString('utf8');
  }

  async getVncConsole(instance: InstanceRef): Promise<VncConsoleAddress> {
    await monitorInState(this.#guests, instance, 'get_vnc_console', [PowerState.RUNNING, PowerState.PAUSED]);
    const dir = this.#dir(instance.uuid);
    const definition = (await readDefinition(dir.rescueDefinition)) ?? (await readDefinition(dir.definition));
    if (definition?.display !== 'vnc') throw new ConsoleTypeUnavailable('novnc');
    return { host: this.host, socketPath: dir.vncSocket };
  }

  async cacheImage(image: ImageMeta): Promise<'cached' | 'existing'> {
    if (await this.#baseImages.has(image.id)) return 'existing';
    try {
      await this.#baseImages.get(image);
    } catch (error) {
      throw new DriverOperationFailed('cacheImage', error instanceof Error ? error.message : String(error), { cause: error });
    }
    return 'cached';
  }

  async getDiagnostics(instance: InstanceRef): Promise<InstanceDiagnostics> {
    const monitor = await monitorInState(this.#guests, instance, 'get_diagnostics', [PowerState.RUNNING]);
    const dir = this.#dir(instance.uuid);
    return failing('getDiagnostics', instance, async () => {
      // The definition QEMU runs: the rescue one while rescued.
      const definition = (await readDefinition(dir.rescueDefinition)) ?? (await readDefinition(dir.definition));
      if (definition === undefined) throw new InstanceNotFound(instance.uuid);
      return guestDiagnostics(monitor, dir, definition);
    });
  }

  async getAvailableResource(): Promise<HostResources> {
    await mkdir(this.paths.instances, { recursive: true });
    const [capacity, cpuInfo, version] = await Promise.all([hostCapacity(this.paths.instances), hostCpuInfo(), this.#qemuVersion()]);
    let vcpusUsed = 0;
    let memoryMbUsed = 0;
    let localGbUsed = 0;
    const uuids = await definedInstances(this.paths);
    // A resize source keeps its claim until confirmed, as Nova's resource tracker counts it.
    const resizeSources = (await resizeSourceInstances(this.paths)).map((uuid) => resizeSource(this.#dir(uuid)).definition);
    for (const path of [...uuids.map((uuid) => this.#dir(uuid).definition), ...resizeSources]) {
      const definition = await readDefinition(path);
      if (definition === undefined) continue;
      vcpusUsed += definition.vcpus;
      memoryMbUsed += definition.memoryMb;
      localGbUsed += definition.localGb;
    }
    return {
      hypervisorHostname: this.host,
      hypervisorType: this.accelerator === 'kvm' ? 'KVM' : 'QEMU',
      hypervisorVersion: version,
      ...capacity,
      vcpusUsed,
      memoryMbUsed,
      localGbUsed,
      runningVms: uuids.length,
      cpuInfo,
    };
  }

  // Lifecycle

  async spawn(instance: InstanceSpec, options: SpawnOptions): Promise<void> {
    const dir = this.#dir(instance.uuid);
    if (await exists(dir.definition)) throw new InstanceExists(instance.uuid);
    await failing('spawn', instance, () =>
      Reverter.run(async (reverter) => {
        // A volume-backed guest's root disk is its volume: no image, no overlay.
        const volumeBacked = instance.blockDevices.rootVolume !== undefined;
        const reuse = !volumeBacked && options.reuseDisks && (await exists(dir.rootDisk));
        await mkdir(dir.runtime, { recursive: true });
        reverter.add(() => rm(dir.runtime, { recursive: true, force: true }));
        if (!reuse) {
          await mkdir(dir.path, { recursive: true });
          reverter.add(() => rm(dir.path, { recursive: true, force: true }));
        }
        if (!reuse && !volumeBacked) {
          const base = await this.#baseImages.get(instance.image);
          await createOverlay(base.path, base.format, dir.rootDisk, rootBytes(instance, base.virtualSize));
        }
        await this.#define(reverter, instance, dir, options.powerOn);
        // Last: disks reused by a failed evacuation stay their old host's.
        await claimStorage(dir, this.host);
      }),
    );
    LOG.info(`Instance spawned on ${this.host}${options.powerOn ? '' : ' (not powered on)'}`, { instance: instance.uuid });
  }

  async destroy(instance: InstanceSpec, options: DestroyOptions): Promise<void> {
    const dir = this.#dir(instance.uuid);
    await failing('destroy', instance, async () => {
      await this.#guests.kill(instance.uuid);
      await unplugTaps([...(await definedTaps(dir)), ...instance.network.map((vif) => vif.devname)]);
      if (options.destroyDisks) await removeInstanceFiles(dir, this.host);
      else await rm(dir.runtime, { recursive: true, force: true });
    });
  }

  async powerOff(instance: InstanceRef, options: PowerOffOptions): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    await failing('powerOff', instance, async () => {
      const monitor = await this.#guests.monitor(instance.uuid);
      if (monitor !== undefined && options.timeoutSeconds > 0 && (await this.#guests.status(instance.uuid)) === 'running') {
        const clean = await acpiShutdown(monitor, { timeoutMs: options.timeoutSeconds * 1000, retryIntervalMs: options.retryIntervalSeconds * 1000 });
        if (!clean) LOG.warning(`Instance did not power off within ${options.timeoutSeconds} s; stopping it`, { instance: instance.uuid });
      }
      await this.#guests.kill(instance.uuid);
      // Powering off a suspended guest discards its saved state, as libvirt's managed save does.
      await rm(dir.savedState, { force: true });
    });
  }

  async powerOn(instance: InstanceSpec): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    await failing('powerOn', instance, async () => {
      if ((await this.#guests.status(instance.uuid)) !== undefined) return;
      await this.#guests.boot(dir);
    });
  }

  async reboot(instance: InstanceSpec, type: RebootType): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    await failing('reboot', instance, async () => {
      const monitor = await this.#guests.monitor(instance.uuid);
      const status = await this.#guests.status(instance.uuid);
      if (monitor === undefined || status === undefined) {
        await rm(dir.savedState, { force: true });
        await this.#guests.boot(dir);
        return;
      }
      if (type === 'soft' && status === 'running') {
        if (await acpiShutdown(monitor, { timeoutMs: this.#softRebootTimeoutMs, retryIntervalMs: 2000 })) {
          await this.#guests.boot(dir);
          return;
        }
        LOG.warning('Instance did not shut down for a soft reboot in time; resetting it', { instance: instance.uuid });
      }
      await qmp.systemReset(monitor);
      if (status !== 'running') await qmp.cont(monitor);
    });
  }

  async pause(instance: InstanceRef): Promise<void> {
    const monitor = await monitorInState(this.#guests, instance, 'pause', [PowerState.RUNNING]);
    await failing('pause', instance, () => qmp.stop(monitor));
  }

  async unpause(instance: InstanceRef): Promise<void> {
    const monitor = await monitorInState(this.#guests, instance, 'unpause', [PowerState.PAUSED]);
    await failing('unpause', instance, () => qmp.cont(monitor));
  }

  async suspend(instance: InstanceRef): Promise<void> {
    const monitor = await monitorInState(this.#guests, instance, 'suspend', [PowerState.RUNNING, PowerState.PAUSED]);
    const dir = this.#dir(instance.uuid);
    await failing('suspend', instance, async () => {
      await saveState(monitor, dir);
      await this.#guests.kill(instance.uuid);
    });
  }

  async resume(instance: InstanceSpec): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    const state = await this.#guests.powerState(instance.uuid);
    if (state !== PowerState.SUSPENDED) throw new InstanceInvalidState(instance.uuid, 'resume', state);
    await failing('resume', instance, () => this.#guests.boot(dir));
  }

  async rescue(instance: InstanceSpec, options: RescueOptions): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    if (await exists(dir.rescueDefinition)) throw new InstanceInvalidState(instance.uuid, 'rescue', 'rescued');
    const state = await this.#guests.powerState(instance.uuid);
    if (state !== PowerState.RUNNING && state !== PowerState.SHUTDOWN) throw new InstanceInvalidState(instance.uuid, 'rescue', state);
    const stableDevice = isStableDeviceRescue(options.rescueImage);
    await failing('rescue', instance, () =>
      Reverter.run(async (reverter) => {
        const base = await this.#baseImages.get(options.rescueImage);
        await createOverlay(base.path, base.format, dir.rescueDisk, base.virtualSize);
        reverter.add(() => rm(dir.rescueDisk, { force: true }));
        const own = instanceDefinition(instance, dir, this.accelerator);
        const rescueDisk = { id: 'rescue0', path: dir.rescueDisk, format: 'qcow2', serial: null, readOnly: false } as const;
        const rescue: VmDefinition = stableDevice
          ? { ...own, stableRescueDisk: rescueDisk }
          : { ...own, disks: [rescueDisk, ...own.disks] };
        await writeDefinition(dir.rescueDefinition, rescue);
        reverter.add(() => rm(dir.rescueDefinition, { force: true }));
        await this.#guests.kill(instance.uuid);
        if (state === PowerState.RUNNING) reverter.add(() => this.#guests.boot(dir));
        await this.#guests.start(dir, rescue, BOOT);
      }),
    );
  }

  async unrescue(instance: InstanceSpec): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    if (!(await exists(dir.rescueDefinition))) throw new InstanceInvalidState(instance.uuid, 'unrescue', 'not rescued');
    await failing('unrescue', instance, async () => {
      await this.#guests.kill(instance.uuid);
      await rm(dir.rescueDefinition, { force: true });
      await rm(dir.rescueDisk, { force: true });
      await this.#guests.boot(dir);
    });
  }

  async snapshot(instance: InstanceRef): Promise<DriverSnapshot> {
    const dir = await definedDir(this.#guests, instance);
    const target = join(dir.runtime, `snapshot-${Date.now()}.qcow2`);
    return failing('snapshot', instance, async () => {
      const monitor = await this.#guests.monitor(instance.uuid);
      const wasRunning = monitor !== undefined && (await this.#guests.status(instance.uuid)) === 'running';
      // Stopping the CPUs drains and flushes the disk: the copy is what a power cut would leave.
      if (wasRunning) await qmp.stop(monitor);
      try {
        await convertImage({ path: dir.rootDisk, format: 'qcow2', forceShare: true }, { path: target, format: 'qcow2' });
      } catch (error) {
        await rm(target, { force: true });
        throw error;
      } finally {
        if (wasRunning) await qmp.cont(monitor);
      }
      const data = createReadStream(target);
      data.once('close', () => void rm(target, { force: true }));
      return { diskFormat: 'qcow2', containerFormat: 'bare', sizeBytes: (await stat(target)).size, data };
    });
  }

  // Resize and cold migration (see cold-migration.ts)

  async migrateDiskAndPowerOff(instance: InstanceSpec, destHost: string, newFlavor: FlavorSpec, options: PowerOffOptions): Promise<MigratedDisks> {
    const dir = await definedDir(this.#guests, instance);
    if (destHost === this.host) throw new NotSupportedByDriver(this.type, 'migrateDiskAndPowerOff to the same host');
    const destination = this.#peerPaths(destHost);
    // A volume-backed guest's root disk is its volume: it has none here to send or to shrink (as libvirt's booted_from_volume).
    const volumeBacked = instance.blockDevices.rootVolume !== undefined;
    if (!volumeBacked && newFlavor.rootGb < instance.flavor.rootGb) {
      throw new DriverOperationFailed('migrateDiskAndPowerOff', 'unable to resize the root disk down', { instanceUuid: instance.uuid });
    }
    await this.powerOff(instance, options);
    const diskExport = await failing('migrateDiskAndPowerOff', instance, async () => {
      // The guest's ports leave with it; a revert's boot plugs them here again.
      await unplugTaps(await definedTaps(dir));
      if (destination === undefined) return offerDisk(dir, this.#migrationAddress, { rootDisk: !volumeBacked });
      await sendDisk(dir, new InstanceDir(destination, instance.uuid), { rootDisk: !volumeBacked });
      return null;
    });
    return { sourceHost: this.host, disks: volumeBacked ? [] : [{ name: 'root', format: 'qcow2', virtualSizeGb: instance.flavor.rootGb }], diskExport };
  }

  async finishMigration(_migration: MigrationRef, instance: InstanceSpec, disks: MigratedDisks, options: FinishMigrationOptions): Promise<void> {
    const dir = this.#dir(instance.uuid);
    if (await exists(dir.definition)) throw new InstanceExists(instance.uuid);
    const volumeBacked = instance.blockDevices.rootVolume !== undefined;
    if (!volumeBacked && !(await exists(dir.rootDisk)) && !(await failing('finishMigration', instance, () => receiveDisk(dir, disks)))) {
      throw new DriverOperationFailed('finishMigration', `no disks arrived from ${disks.sourceHost}`, { instanceUuid: instance.uuid });
    }
    await failing('finishMigration', instance, () =>
      Reverter.run(async (reverter) => {
        if (volumeBacked) {
          await mkdir(dir.path, { recursive: true });
        } else {
          const base = await this.#baseImages.get(instance.image);
          await rebaseUnsafe(dir.rootDisk, base.path, base.format);
          if (options.resizeInstance) await resizeImage(dir.rootDisk, 'qcow2', rootBytes(instance, base.virtualSize));
        }
        await claimStorage(dir, this.host);
        await mkdir(dir.runtime, { recursive: true });
        reverter.add(() => rm(dir.runtime, { recursive: true, force: true }));
        await this.#define(reverter, instance, dir, options.powerOn);
      }),
    );
  }

  async confirmMigration(_migration: MigrationRef, instance: InstanceRef): Promise<void> {
    await removeResizeSource(this.#dir(instance.uuid));
  }

  async finishRevertMigration(_migration: MigrationRef, instance: InstanceSpec, options: { readonly powerOn: boolean }): Promise<void> {
    const dir = this.#dir(instance.uuid);
    if (!(await hasResizeSource(dir))) throw new InstanceNotFound(instance.uuid);
    if (await exists(dir.definition)) throw new InstanceExists(instance.uuid);
    await failing('finishRevertMigration', instance, async () => {
      await restoreResizeSource(dir);
      // Under the old flavor again, as the definition's resources say.
      await writeDefinition(dir.definition, instanceDefinition(instance, dir, this.accelerator));
      if (options.powerOn) await this.#guests.boot(dir);
    });
  }

  preLiveMigration(instance: InstanceSpec, request: LiveMigrationRequest): Promise<LiveMigrationTarget> {
    return this.#liveMigrations.pre(instance, request);
  }

  /**
   * A tap is opened by one QEMU at a time: a guest's tap already held here means the source runs
   * on this machine too (compute hosts sharing one network namespace), so its NICs cannot be
   * handed over while both QEMUs run.
   */
  async liveMigrationBlocker(instance: InstanceSpec): Promise<string | null> {
    for (const vif of instance.network) {
      if (await tapInUse(vif.devname)) return `${this.host} shares its network namespace with the guest's host: its tap ${vif.devname} is held here, so a guest with ports cannot live-migrate between these hosts`;
    }
    return null;
  }

  liveMigration(instance: InstanceRef, target: LiveMigrationTarget): Promise<LiveMigrationResult> {
    return this.#liveMigrations.migrate(instance, target);
  }

  liveMigrationAbort(instance: InstanceRef): Promise<void> {
    return this.#liveMigrations.abort(instance);
  }

  liveMigrationForceComplete(instance: InstanceRef): Promise<void> {
    return this.#liveMigrations.forceComplete(instance);
  }

  postLiveMigrationAtDestination(instance: InstanceSpec): Promise<void> {
    return this.#liveMigrations.postAtDestination(instance);
  }

  postLiveMigrationAtSource(instance: InstanceSpec): Promise<void> {
    return this.#liveMigrations.postAtSource(instance);
  }

  rollbackLiveMigrationAtDestination(instance: InstanceSpec, options: DestroyOptions): Promise<void> {
    return this.#liveMigrations.rollbackAtDestination(instance, options);
  }

  // Devices

  async attachVolume(instance: InstanceRef, attachment: VolumeAttachment): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    const definition = await this.#storedDefinition(instance);
    if (definition.volumes.some((volume) => volume.volumeId === attachment.volumeId)) throw new DeviceBusy(attachment.volumeId);
    if (definition.volumes.some((volume) => volume.mountpoint === attachment.mountpoint)) throw new DeviceBusy(attachment.mountpoint);
    await failing('attachVolume', instance, async () => {
      const volume = volumeDefinition(attachment, dir.runtime);
      const monitor = (await this.#guests.status(instance.uuid)) === undefined ? undefined : await this.#guests.monitor(instance.uuid);
      if (monitor !== undefined) await plugVolume(monitor, volume);
      await this.#updateDefinitions(dir, (stored) => ({ ...stored, volumes: [...stored.volumes, volume] }));
    });
  }

  async detachVolume(instance: InstanceRef, volumeId: string): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    const volume = (await this.#storedDefinition(instance)).volumes.find((attached) => attached.volumeId === volumeId);
    if (volume === undefined) throw new DeviceNotFound(volumeId);
    await failing('detachVolume', instance, async () => {
      const monitor = (await this.#guests.status(instance.uuid)) === undefined ? undefined : await this.#guests.monitor(instance.uuid);
      if (monitor !== undefined) await unplugVolume(monitor, volume);
      await this.#updateDefinitions(dir, (stored) => ({ ...stored, volumes: stored.volumes.filter((attached) => attached.volumeId !== volumeId) }));
    });
  }

  async extendVolume(instance: InstanceRef, volumeId: string, newSizeBytes: number): Promise<void> {
    const volume = (await this.#storedDefinition(instance)).volumes.find((attached) => attached.volumeId === volumeId);
    if (volume === undefined) throw new DeviceNotFound(volumeId);
    await failing('extendVolume', instance, async () => {
      const monitor = (await this.#guests.status(instance.uuid)) === undefined ? undefined : await this.#guests.monitor(instance.uuid);
      // The volume already grew (Cinder's backend did it, and made its NBD export again); QEMU and the guest are told.
      if (monitor !== undefined) await growVolume(monitor, volume, newSizeBytes);
    });
  }

  /** The tap first (QEMU opens it by name), then the NIC in a running guest; the definition keeps it for the next start. */
  async attachInterface(instance: InstanceRef, vif: VifSpec): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    if ((await this.#storedDefinition(instance)).nics.some((nic) => nic.portId === vif.id)) throw new DeviceBusy(vif.id);
    const nic = nicDefinition(vif);
    await failing('attachInterface', instance, async () => {
      await plugTap(nic);
      try {
        const monitor = (await this.#guests.status(instance.uuid)) === undefined ? undefined : await this.#guests.monitor(instance.uuid);
        if (monitor !== undefined) await plugNic(monitor, nic);
        await this.#updateDefinitions(dir, (stored) => ({ ...stored, nics: [...stored.nics, nic] }));
      } catch (error) {
        await unplugTaps([nic.devname]).catch(() => undefined);
        throw error;
      }
    });
  }

  /** The NIC out of a running guest (once it let go), out of the definition, then its tap. */
  async detachInterface(instance: InstanceRef, vif: VifSpec): Promise<void> {
    const dir = await definedDir(this.#guests, instance);
    const nic = (await this.#storedDefinition(instance)).nics.find((defined) => defined.portId === vif.id);
    if (nic === undefined) throw new DeviceNotFound(vif.id);
    await failing('detachInterface', instance, async () => {
      const monitor = (await this.#guests.status(instance.uuid)) === undefined ? undefined : await this.#guests.monitor(instance.uuid);
      if (monitor !== undefined) await unplugNic(monitor, nic);
      await this.#updateDefinitions(dir, (stored) => ({ ...stored, nics: stored.nics.filter((defined) => defined.portId !== vif.id) }));
      await unplugTaps([nic.devname]);
    });
  }

  /** The host side only (taps on their bridges): the guest's NICs are in its definition, and every start plugs them too. */
  async plugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void> {
    await definedDir(this.#guests, instance);
    await failing('plugVifs', instance, () => plugTaps(vifs));
  }

  /** Deletes the taps: a running guest's NICs lose their link until the next plug. */
  async unplugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void> {
    await definedDir(this.#guests, instance);
    await failing('unplugVifs', instance, () => unplugTaps(vifs.map((vif) => vif.devname)));
  }

  // Internals

  #dir(uuid: string): InstanceDir {
    return this.#guests.dir(uuid);
  }

  /** Writes the guest's config drive and definition and, with powerOn, starts it; the reverter undoes each. */
  async #define(reverter: Reverter, instance: InstanceSpec, dir: InstanceDir, powerOn: boolean): Promise<void> {
    await createConfigDrive(instance, dir);
    const definition = instanceDefinition(instance, dir, this.accelerator);
    await writeDefinition(dir.definition, definition);
    reverter.add(() => rm(dir.definition, { force: true }));
    reverter.add(() => unplugTaps(definition.nics.map((nic) => nic.devname)));
    if (powerOn) await this.#guests.start(dir, definition, BOOT);
  }

  async #storedDefinition(instance: InstanceRef): Promise<VmDefinition> {
    const definition = await readDefinition(this.#dir(instance.uuid).definition);
    if (definition === undefined) throw new InstanceNotFound(instance.uuid);
    return definition;
  }

  /** Changes the definition, and the rescue one while rescued, so the next start has the change too. */
  async #updateDefinitions(dir: InstanceDir, change: (definition: VmDefinition) => VmDefinition): Promise<void> {
    for (const path of [dir.definition, dir.rescueDefinition]) {
      const definition = await readDefinition(path);
      if (definition !== undefined) await writeDefinition(path, change(definition));
    }
  }

  #qemuVersion(): Promise<number> {
    this.#version ??= qemuVersion(this.#binary);
    return this.#version;
  }

}

/**
 * Nova's check_hw_rescue_props: a rescue image that names its rescue bus or device asks for a
 * stable device rescue. This driver attaches every disk as virtio-blk: another bus or device is refused.
 */
function isStableDeviceRescue(image: ImageMeta): boolean {
  const { hw_rescue_bus: bus, hw_rescue_device: device } = image.properties;
  if (bus === undefined && device === undefined) return false;
  if ((bus ?? 'virtio') !== 'virtio' || (device ?? 'disk') !== 'disk') {
    throw new Error(`Rescue device ${device ?? 'disk'} on bus ${bus ?? 'virtio'} is not supported by this driver: only a virtio disk`);
  }
  return true;
}
