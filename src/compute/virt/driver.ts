import type { Readable } from 'node:stream';
import type { DriverCapabilities } from './capabilities.js';
import type { InstanceDiagnostics } from './diagnostics.js';
import type { VncConsoleAddress } from './console.js';
import type { HostResources } from './host-resources.js';
import type { DiskFormat, FlavorSpec, ImageMeta, InstanceRef, InstanceSpec, VifSpec, VolumeAttachment } from './instance-spec.js';
import type { PowerState } from './power-state.js';

export interface SpawnOptions {
  /** False leaves the new guest SHUTDOWN (Nova's `power_on=False`). */
  readonly powerOn: boolean;
  readonly adminPassword: string | null;
  /**
   * Evacuation from shared instance storage: the guest's disks already exist where this host
   * reads them, so boot from those instead of creating new ones from the image.
   */
  readonly reuseDisks: boolean;
}

export interface DestroyOptions {
  /** False keeps the disks (evacuated source coming back, disks on shared storage). */
  readonly destroyDisks: boolean;
}

/** How long a clean (ACPI) shutdown may take before the guest is stopped hard. */
export interface PowerOffOptions {
  /** Seconds to wait for the guest to power itself off; 0 stops it hard at once. */
  readonly timeoutSeconds: number;
  /** Seconds between repeated ACPI power-button presses while waiting. */
  readonly retryIntervalSeconds: number;
}

export type RebootType = 'soft' | 'hard';

export interface RescueOptions {
  /**
   * The image the rescue boot runs. The guest's own disks are attached after it, or, when the
   * image names its rescue device (2.87's hw_rescue_bus / hw_rescue_device: a stable device
   * rescue, the only one a volume-backed guest has), the rescue disk goes after the guest's disks,
   * which keep their addresses, and is booted first.
   */
  readonly rescueImage: ImageMeta;
  readonly adminPassword: string | null;
}

/** What getInfo reports; the agent's power-state sync compares it with its records. */
export interface InstanceInfo {
  readonly powerState: PowerState;
}

/** A point-in-time copy of the guest's root disk, ready to upload to the image service. */
export interface DriverSnapshot {
  readonly diskFormat: DiskFormat;
  readonly containerFormat: 'bare';
  readonly sizeBytes: number;
  /** The disk's bytes; reading it is the upload phase (task_state image_uploading). */
  readonly data: Readable;
}

/** The migration record a resize or cold migration belongs to. */
export interface MigrationRef {
  readonly id: string;
  readonly sourceHost: string;
  readonly destHost: string;
}

export interface MigratedDisk {
  readonly name: 'root' | 'ephemeral' | 'swap';
  readonly format: DiskFormat;
  readonly virtualSizeGb: number;
}

/** What migrateDiskAndPowerOff moved, handed by the agent to finishMigration on the destination. */
export interface MigratedDisks {
  readonly sourceHost: string;
  readonly disks: readonly MigratedDisk[];
  /**
   * Where the source serves the disks for a destination that cannot read them from its own
   * storage (QEMU: NBD, hosts apart without shared storage), if it does.
   */
  readonly diskExport?: { readonly address: string; readonly port: number } | null;
}

export interface FinishMigrationOptions {
  /** A resize (new flavor) rather than a plain migration: grow the disks to the new flavor. */
  readonly resizeInstance: boolean;
  readonly powerOn: boolean;
}

export interface LiveMigrationRequest {
  readonly sourceHost: string;
  /** Copy the disks too (no shared instance storage). */
  readonly blockMigration: boolean;
}

/** What preLiveMigration prepared on the destination; the source migrates into it. */
export interface LiveMigrationTarget {
  readonly host: string;
  readonly blockMigration: boolean;
  /** Where the destination listens for the incoming guest (QEMU's -incoming), if over the network. */
  readonly incoming: { readonly address: string; readonly port: number } | null;
  /** Where the destination serves its new disks for a block migration (QEMU: NBD, one export per disk), if it does. */
  readonly diskExport: { readonly address: string; readonly port: number } | null;
}

/** How a live migration ended without an error: completed, or aborted by liveMigrationAbort. */
export type LiveMigrationResult = 'completed' | 'aborted';

/**
 * A hypervisor on one compute host (Nova's ComputeDriver). The compute agent is its only caller
 * and serialises operations per instance; a driver need not guard against two at once on one
 * guest. Every method that names a guest the driver does not hold throws InstanceNotFound
 * (destroy excepted), one whose state forbids it throws InstanceInvalidState, and a hypervisor
 * failure throws DriverOperationFailed. A failed operation leaves the guest as it was, unless
 * its comment says otherwise.
 */
/** Makes the driver of one compute host: what a composition root (`cli/presets/drivers.ts`) hands the agents. */
export type ComputeDriverFactory = (host: string) => ComputeDriver;

export interface ComputeDriver {
  /** `fake` or `qemu`: which implementation this is. */
  readonly type: string;
  /** The compute host this driver runs guests on. */
  readonly host: string;
  readonly capabilities: DriverCapabilities;

  /**
   * Called once when the agent starts, before anything else: find the guests that survived an
   * agent restart and re-attach to them. Guests keep running across it.
   */
  initHost(): Promise<void>;

  // Status

  /** Uuids of every guest defined on this host, whatever its power state. */
  listInstances(): Promise<string[]>;

  /**
   * Names the storage holding this host's guests' disks: hosts answering the same id share it
   * (Nova's shared-storage test file), so a guest's disks need not travel between them.
   */
  instanceStorageId(): Promise<string>;

  /** Whether the guest's disks are reachable from this host (Nova's instance_on_disk): an evacuation boots from them. */
  instanceOnDisk(instance: InstanceRef): Promise<boolean>;

  /** The guest's power state as the hypervisor sees it now (a dead QEMU reads SHUTDOWN). */
  getInfo(instance: InstanceRef): Promise<InstanceInfo>;

  /** The guest's serial console log, oldest line first. */
  getConsoleOutput(instance: InstanceRef): Promise<string>;

  /**
   * Where the guest's VNC server listens, for the console proxy (`supportsVncConsole`). The guest
   * must be running or paused (InstanceInvalidState otherwise) and defined with a screen
   * (ConsoleTypeUnavailable for one defined before consoles existed). Changes nothing.
   */
  getVncConsole(instance: InstanceRef): Promise<VncConsoleAddress>;

  /**
   * A RUNNING guest's CPU, memory, disk and interface figures (InstanceInvalidState in any other
   * state, as Nova's compute manager refuses them). Changes nothing.
   */
  getDiagnostics(instance: InstanceRef): Promise<InstanceDiagnostics>;

  /** Host size and what its guests use, for the resource audit and os-hypervisors. */
  getAvailableResource(): Promise<HostResources>;

  /**
   * Fetches an image into this host's cache of base images ahead of any boot (Nova's cache_image,
   * the 2.81 aggregate image cache): `cached` when fetched now, `existing` when it was there.
   * Touches no guest; an image the host cannot boot is DriverOperationFailed.
   */
  cacheImage(image: ImageMeta): Promise<'cached' | 'existing'>;

  // Lifecycle

  /**
   * Creates and boots a guest. After it the guest is RUNNING (SHUTDOWN with `powerOn: false`)
   * and listed. A failed spawn cleans up fully: no guest, disk or device is left behind.
   * The counter-action is destroy. InstanceExists if the uuid is already defined here.
   */
  spawn(instance: InstanceSpec, options: SpawnOptions): Promise<void>;

  /**
   * Stops the guest if it runs, unplugs its interfaces and removes it (and its disks, unless
   * `destroyDisks` is false or another host took them over on shared storage, as after an
   * evacuation). After it the guest is not listed. Idempotent: an unknown guest is
   * not an error. A resize source kept by migrateDiskAndPowerOff is not touched (confirmMigration
   * or finishRevertMigration settles it).
   */
  destroy(instance: InstanceSpec, options: DestroyOptions): Promise<void>;

  /**
   * Shuts the guest down: ACPI power button first, repeated every `retryIntervalSeconds`, then a
   * hard stop once `timeoutSeconds` pass. After it the guest is SHUTDOWN, from any state; a
   * guest already SHUTDOWN is left so. The counter-action is powerOn.
   */
  powerOff(instance: InstanceRef, options: PowerOffOptions): Promise<void>;

  /**
   * Boots a stopped guest from its definition. After it the guest is RUNNING; one already
   * RUNNING is left so. The counter-action is powerOff.
   */
  powerOn(instance: InstanceSpec): Promise<void>;

  /**
   * Soft: the guest shuts itself down and is started again (as Nova does), falling back to hard
   * if it does not. Hard: reset. After either the guest is RUNNING, even if it was paused or
   * stopped before. No counter-action.
   */
  reboot(instance: InstanceSpec, type: RebootType): Promise<void>;

  /**
   * Freezes a RUNNING guest's CPUs; its memory stays on the host. After it the guest is
   * PAUSED. A softer suspend. The counter-action is unpause.
   */
  pause(instance: InstanceRef): Promise<void>;

  /** Lets a PAUSED guest's CPUs run again where they stopped. After it RUNNING. The counter-action is pause. */
  unpause(instance: InstanceRef): Promise<void>;

  /**
   * Saves a RUNNING or PAUSED guest's memory to disk and ends its process, so it uses no CPU or
   * memory. After it the guest is SUSPENDED. A stronger pause. The counter-action is resume.
   */
  suspend(instance: InstanceRef): Promise<void>;

  /**
   * Restores a SUSPENDED guest from its saved state: it continues, it does not reboot. After it
   * RUNNING. The counter-action is suspend.
   */
  resume(instance: InstanceSpec): Promise<void>;

  /**
   * Boots the rescue image with the guest's own disk attached as the second disk, from RUNNING
   * or SHUTDOWN. After it the guest is RUNNING and rescued. The counter-action is unrescue.
   */
  rescue(instance: InstanceSpec, options: RescueOptions): Promise<void>;

  /** Ends a rescue and boots the guest from its own disk again. After it RUNNING, not rescued. The counter-action is rescue. */
  unrescue(instance: InstanceSpec): Promise<void>;

  /**
   * Takes a consistent copy of the root disk, in any power state; the guest's state is unchanged
   * after it. The promise resolves once the copy is taken (task_state image_pending_upload);
   * reading `data` is the upload. No counter-action: the image is removed in the image service.
   */
  snapshot(instance: InstanceRef): Promise<DriverSnapshot>;

  // Resize and cold migration: migrateDiskAndPowerOff (source) → finishMigration (destination)
  // → confirmMigration (source) or destroy (destination) + finishRevertMigration (source).

  /**
   * On the source: powers the guest off (as powerOff) and copies its disks to `destHost`. After
   * it the guest is SHUTDOWN and no longer listed here, but its disks stay on the source as the
   * resize source until confirmMigration removes them or finishRevertMigration restores them.
   */
  migrateDiskAndPowerOff(
    instance: InstanceSpec,
    destHost: string,
    newFlavor: FlavorSpec,
    options: PowerOffOptions,
  ): Promise<MigratedDisks>;

  /**
   * On the destination: defines the guest on the copied disks (grown to `instance.flavor` when
   * resizing). After it the guest is RUNNING here (SHUTDOWN with `powerOn: false`) and listed.
   * The counter-action is destroy here followed by finishRevertMigration on the source.
   */
  finishMigration(
    migration: MigrationRef,
    instance: InstanceSpec,
    disks: MigratedDisks,
    options: FinishMigrationOptions,
  ): Promise<void>;

  /** On the source: removes the resize source. Idempotent. After it only the destination holds the guest. */
  confirmMigration(migration: MigrationRef, instance: InstanceRef): Promise<void>;

  /**
   * On the source, after destroy on the destination: restores the resize source under its old
   * flavor (`instance.flavor`). After it the guest is listed here again and RUNNING (SHUTDOWN
   * with `powerOn: false`). Undoes migrateDiskAndPowerOff.
   */
  finishRevertMigration(migration: MigrationRef, instance: InstanceSpec, options: { readonly powerOn: boolean }): Promise<void>;

  // Live migration: preLiveMigration (destination) → liveMigration (source) →
  // postLiveMigrationAtDestination + postLiveMigrationAtSource, or on failure
  // rollbackLiveMigrationAtDestination.

  /**
   * On the destination: prepares to receive the guest (disks for a block migration, interfaces,
   * an incoming process). Nothing is listed yet. The counter-action is
   * rollbackLiveMigrationAtDestination.
   */
  preLiveMigration(instance: InstanceSpec, request: LiveMigrationRequest): Promise<LiveMigrationTarget>;

  /**
   * On the destination, before anything moves (part of Nova's check_can_live_migrate_destination):
   * why this host cannot receive the running guest, or null when it can.
   */
  liveMigrationBlocker(instance: InstanceSpec): Promise<string | null>;

  /**
   * On the source: moves the running guest into the prepared destination while it keeps running.
   * 'completed': the guest runs on the destination, in the power state it had here (RUNNING or
   * PAUSED), and is gone from here. 'aborted' (by
   * liveMigrationAbort) or a rejection: the guest still runs here, unchanged.
   */
  liveMigration(instance: InstanceRef, target: LiveMigrationTarget): Promise<LiveMigrationResult>;

  /** On the source: stops an in-progress live migration, which then resolves 'aborted'. */
  liveMigrationAbort(instance: InstanceRef): Promise<void>;

  /**
   * On the source: makes an in-progress live migration converge now (the guest is paused for
   * the final copy, as Nova's libvirt driver does); it then resolves 'completed'.
   */
  liveMigrationForceComplete(instance: InstanceRef): Promise<void>;

  /** On the destination after 'completed': finishes setting the guest up here. It stays RUNNING. */
  postLiveMigrationAtDestination(instance: InstanceSpec): Promise<void>;

  /** On the source after 'completed': removes what the guest left here (interfaces, local disks). Idempotent. */
  postLiveMigrationAtSource(instance: InstanceSpec): Promise<void>;

  /** On the destination after a failed or aborted migration: undoes preLiveMigration. Idempotent. */
  rollbackLiveMigrationAtDestination(instance: InstanceSpec, options: DestroyOptions): Promise<void>;

  // Devices

  /** Hot-plugs a volume at its mountpoint. After it the guest sees the disk. The counter-action is detachVolume. */
  attachVolume(instance: InstanceRef, attachment: VolumeAttachment): Promise<void>;

  /** Hot-unplugs a volume; DeviceNotFound if it is not attached. The counter-action is attachVolume. */
  detachVolume(instance: InstanceRef, volumeId: string): Promise<void>;

  /**
   * Tells a running guest that an attached volume grew to `newSizeBytes` (the backend grew it
   * already); a guest not running sees the size at its next start. DeviceNotFound if it is not attached.
   */
  extendVolume(instance: InstanceRef, volumeId: string, newSizeBytes: number): Promise<void>;

  /**
   * Hot-plugs a NIC for the port (its host side plugged first); a guest not running gets it at
   * its next start. After it the guest sees the interface. DeviceBusy if the port is plugged
   * already. The counter-action is detachInterface.
   */
  attachInterface(instance: InstanceRef, vif: VifSpec): Promise<void>;

  /**
   * Hot-unplugs the port's NIC, waiting for the guest to release it, then its host side.
   * DeviceNotFound if the port is not plugged. The counter-action is attachInterface.
   */
  detachInterface(instance: InstanceRef, vif: VifSpec): Promise<void>;

  /**
   * Connects the guest's interfaces to their host bridges. Idempotent: the agent plugs every
   * guest's interfaces again at start. The counter-action is unplugVifs.
   */
  plugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void>;

  /** Disconnects the interfaces from their bridges. Idempotent. The counter-action is plugVifs. */
  unplugVifs(instance: InstanceRef, vifs: readonly VifSpec[]): Promise<void>;
}

/** The driver methods, by name: what fault injection and delays are keyed on. */
export type DriverOperation = {
  [K in keyof ComputeDriver]: ComputeDriver[K] extends (...args: never[]) => unknown ? K : never;
}[keyof ComputeDriver];
