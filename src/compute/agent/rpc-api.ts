/**
 * The verbs a compute agent answers on `compute.<host>`: a closed set, each with its argument
 * and result types. The RPC client sends only these and the manager implements all of them.
 */
import type { AgentInstance, BuildRequest } from '../conductor/rpc-api.js';
import type { MigrationHandle, MoveMigrationWire } from '../moves/migration.js';
import type { Flavor } from '../flavors/flavor.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';
import type { VncConsoleAddress } from '../virt/console.js';
import type { MigratedDisks } from '../virt/driver.js';
import type { WireRequestSpec } from '../scheduler/rpc-api.js';
import type { Destination } from '../scheduler/select-destinations.js';
import type { LiveMigrationTarget } from '../virt/driver.js';
import type { FaultInjection } from '../faults/fault-injection.js';

export const COMPUTE_TOPIC = 'compute';
/** The service an agent registers as, in the services table. */
export const COMPUTE_BINARY = 'nova-compute';
export const COMPUTE_API_VERSION = '1.0';

export interface BuildAndRunInstanceArgs {
  readonly instance: AgentInstance;
  readonly build: BuildRequest;
  readonly node: string;
  /** The spec of this attempt (its `retry` says which hosts failed already). */
  readonly spec: WireRequestSpec;
  /** Claimed nowhere yet: where the conductor retries if this build fails. */
  readonly alternates: readonly Destination[];
}

export interface InstanceArgs {
  readonly instanceUuid: string;
}

export interface StopInstanceArgs extends InstanceArgs {
  readonly clean: boolean;
}

export interface RebootInstanceArgs extends InstanceArgs {
  readonly rebootType: 'SOFT' | 'HARD';
}

export interface ConsoleOutputArgs extends InstanceArgs {
  readonly length?: number;
}

export interface SnapshotInstanceArgs extends InstanceArgs {
  /** The queued Glance image the API created for the snapshot. */
  readonly imageId: string;
}

/** createBackup: a snapshot, then the oldest backups of its type beyond `rotation` deleted. */
export interface BackupInstanceArgs extends SnapshotInstanceArgs {
  readonly backupType: string;
  readonly rotation: number;
}

export interface ShelveInstanceArgs extends SnapshotInstanceArgs {
  /** Give the guest a chance to shut itself down first (Nova's clean_shutdown). */
  readonly clean: boolean;
}

export interface ShelveOffloadInstanceArgs extends InstanceArgs {
  readonly clean: boolean;
}

export interface UnshelveInstanceArgs extends InstanceArgs {
  /** The shelve snapshot (system metadata shelved_image_id): spawned from when offloaded, deleted once ACTIVE. */
  readonly imageId: string | null;
  /** The node the conductor placed an offloaded instance on; null for one still on its host. */
  readonly node: string | null;
}

export interface CacheImagesArgs {
  /** Glance image ids, each checked by the API to exist. */
  readonly imageIds: readonly string[];
}

export interface RescueInstanceArgs extends InstanceArgs {
  /** The rescue system's admin password (the API generated one if the user gave none). */
  readonly rescuePassword: string;
  /** The image to boot for the rescue; null: the instance's own image, as Nova. */
  readonly rescueImageRef: string | null;
}

export interface RebuildInstanceArgs extends InstanceArgs {
  /** The image the guest is rebuilt from (the API has already written it as the instance's image_ref). */
  readonly imageRef: string;
  readonly adminPassword: string;
  readonly preserveEphemeral: boolean;
  /** 2.93: a volume-backed server's root volume is rewritten from the image (absent: false). */
  readonly reimageBootVolume?: boolean;
}

/** A step of a resize or cold migration: the instance and its migration record. */
export interface MoveArgs extends InstanceArgs {
  readonly migration: MoveMigrationWire;
}

/** prep_resize (destination) and resize_instance (source). */
export interface PrepResizeArgs extends MoveArgs {
  readonly flavor: Flavor;
  readonly oldFlavor: Flavor;
  /** What the server returns to: stopped servers are not powered on at the destination. */
  readonly oldVmState: 'active' | 'stopped';
  readonly cleanShutdown: boolean;
}

/** finish_resize (destination): the disks migrateDiskAndPowerOff sent. */
export interface FinishResizeArgs extends Omit<PrepResizeArgs, 'cleanShutdown'> {
  readonly disks: MigratedDisks;
}

/** revert_resize (destination) and finish_revert_resize (source). */
export interface RevertResizeArgs extends MoveArgs {
  readonly oldFlavor: Flavor;
  readonly oldVmState: 'active' | 'stopped';
}

/** To the source: move the guest live to the destination the conductor claimed. */
export interface LiveMigrationArgs extends InstanceArgs {
  readonly migration: MigrationHandle;
  readonly destHost: string;
  readonly destNode: string;
  readonly blockMigration: boolean;
}

/** To the destination: prepare for the guest coming from `sourceHost`. */
export interface PreLiveMigrationArgs extends InstanceArgs {
  readonly sourceHost: string;
  readonly blockMigration: boolean;
}

/** From the conductor to a live migration's destination, before anything moves (Nova's check_can_live_migrate_destination). */
export interface CheckLiveMigrationDestinationArgs extends InstanceArgs {
  readonly sourceHost: string;
  /** What the caller asked for: null lets the hosts' storage decide (`block_migration: auto`). */
  readonly blockMigration: boolean | null;
}

/** From the destination to the source: can the guest go there, and must its disks travel? */
export interface CheckLiveMigrationSourceArgs extends InstanceArgs {
  readonly destHost: string;
  /** The destination's instanceStorageId: equal to the source's on shared instance storage. */
  readonly destStorageId: string;
  readonly blockMigration: boolean | null;
}

/** How the checked live migration goes, or why it cannot (an answer, not a fault: the conductor refuses the request with it). */
export type LiveMigrationCheck = { readonly blockMigration: boolean } | { readonly refused: string };

/** To the destination after a failed or aborted live migration: undo the preparation. */
export interface RollbackLiveMigrationArgs extends InstanceArgs {
  readonly blockMigration: boolean;
}

/** To the source: abort or force-complete the live migration in progress. */
export interface LiveMigrationControlArgs extends InstanceArgs {
  readonly migrationId: number;
}

/** To an evacuation's destination: rebuild the guest of a down host here (Nova's rebuild_instance, recreate=True). */
export interface EvacuateInstanceArgs extends InstanceArgs {
  readonly migration: MigrationHandle;
  readonly node: string;
  readonly adminPassword: string | null;
  /** What the caller said of the disks (before 2.14): on storage shared with the source or not; null: this host finds out. */
  readonly onSharedStorage: boolean | null;
}

/** attach_volume and detach_volume: the Cinder attachment the API made holds the volume for this instance. */
export interface VolumeAttachArgs extends InstanceArgs {
  readonly volumeId: string;
  readonly attachmentId: string;
  readonly mountpoint: string;
}

/** attach_interface: a new port on `networkId` (at `fixedIp` if given) or the user's port `portId`, one of the two. */
export interface AttachInterfaceArgs extends InstanceArgs {
  readonly networkId: string | null;
  readonly portId: string | null;
  readonly fixedIp: string | null;
  readonly tag: string | null;
}

/** detach_interface: the port leaves the guest, then is deleted (Nova made it) or unbound (the user's). */
export interface DetachInterfaceArgs extends InstanceArgs {
  readonly portId: string;
}

/** One event of os-server-external-events, for an instance on this host. */
export interface ExternalEventWire {
  readonly instanceUuid: string;
  /** network-vif-plugged, network-vif-unplugged, network-vif-deleted, network-changed, volume-extended, power-update, … */
  readonly name: string;
  readonly tag: string | null;
  readonly status: 'failed' | 'completed' | 'in-progress';
}

/** /v2.1/nimbus/faults: a failure injected into this host (it passes a paused bus). */
export interface InjectFaultArgs {
  readonly fault: FaultInjection;
}

/** /v2.1/nimbus/faults: the admin cleared an injection of this host. */
export interface ClearFaultArgs {
  readonly id: string;
}

export interface ExternalInstanceEventArgs {
  readonly events: readonly ExternalEventWire[];
}

/**
 * Every verb with its arguments, its result and how it travels: a `cast` (one-way; the agent
 * reports the outcome through the conductor) or a `call` (the caller waits for the result).
 */
export interface AgentVerbs {
  build_and_run_instance: { kind: 'cast'; args: BuildAndRunInstanceArgs; result: void };
  start_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  stop_instance: { kind: 'cast'; args: StopInstanceArgs; result: void };
  reboot_instance: { kind: 'cast'; args: RebootInstanceArgs; result: void };
  terminate_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  soft_delete_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  restore_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  pause_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  unpause_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  suspend_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  resume_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  rescue_instance: { kind: 'cast'; args: RescueInstanceArgs; result: void };
  unrescue_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  rebuild_instance: { kind: 'cast'; args: RebuildInstanceArgs; result: void };
  get_console_output: { kind: 'call'; args: ConsoleOutputArgs; result: string };
  get_diagnostics: { kind: 'call'; args: InstanceArgs; result: InstanceDiagnostics };
  get_host_uptime: { kind: 'call'; args: Record<string, never>; result: string };
  cache_images: { kind: 'cast'; args: CacheImagesArgs; result: void };
  get_vnc_console: { kind: 'call'; args: InstanceArgs; result: VncConsoleAddress };
  snapshot_instance: { kind: 'cast'; args: SnapshotInstanceArgs; result: void };
  backup_instance: { kind: 'cast'; args: BackupInstanceArgs; result: void };
  shelve_instance: { kind: 'cast'; args: ShelveInstanceArgs; result: void };
  shelve_offload_instance: { kind: 'cast'; args: ShelveOffloadInstanceArgs; result: void };
  unshelve_instance: { kind: 'cast'; args: UnshelveInstanceArgs; result: void };
  prep_resize: { kind: 'cast'; args: PrepResizeArgs; result: void };
  resize_instance: { kind: 'cast'; args: PrepResizeArgs; result: void };
  finish_resize: { kind: 'cast'; args: FinishResizeArgs; result: void };
  confirm_resize: { kind: 'cast'; args: MoveArgs; result: void };
  revert_resize: { kind: 'cast'; args: RevertResizeArgs; result: void };
  finish_revert_resize: { kind: 'cast'; args: RevertResizeArgs; result: void };
  check_can_live_migrate_destination: { kind: 'call'; args: CheckLiveMigrationDestinationArgs; result: LiveMigrationCheck };
  check_can_live_migrate_source: { kind: 'call'; args: CheckLiveMigrationSourceArgs; result: LiveMigrationCheck };
  live_migration: { kind: 'cast'; args: LiveMigrationArgs; result: void };
  pre_live_migration: { kind: 'call'; args: PreLiveMigrationArgs; result: LiveMigrationTarget };
  /** Answers the guest's power state on the destination. */
  post_live_migration_at_destination: { kind: 'call'; args: InstanceArgs; result: number };
  rollback_live_migration_at_destination: { kind: 'call'; args: RollbackLiveMigrationArgs; result: void };
  live_migration_abort: { kind: 'cast'; args: LiveMigrationControlArgs; result: void };
  live_migration_force_complete: { kind: 'cast'; args: LiveMigrationControlArgs; result: void };
  evacuate_instance: { kind: 'cast'; args: EvacuateInstanceArgs; result: void };
  attach_volume: { kind: 'cast'; args: VolumeAttachArgs; result: void };
  detach_volume: { kind: 'cast'; args: VolumeAttachArgs; result: void };
  /** Answers the id of the port now in the guest. */
  attach_interface: { kind: 'call'; args: AttachInterfaceArgs; result: string };
  detach_interface: { kind: 'cast'; args: DetachInterfaceArgs; result: void };
  external_instance_event: { kind: 'cast'; args: ExternalInstanceEventArgs; result: void };
  inject_fault: { kind: 'cast'; args: InjectFaultArgs; result: void };
  clear_fault: { kind: 'cast'; args: ClearFaultArgs; result: void };
}

export type AgentVerb = keyof AgentVerbs;
export type AgentCastVerb = { [V in AgentVerb]: AgentVerbs[V]['kind'] extends 'cast' ? V : never }[AgentVerb];
export type AgentCallVerb = { [V in AgentVerb]: AgentVerbs[V]['kind'] extends 'call' ? V : never }[AgentVerb];

/** One handler per verb; the compiler rejects a missing or extra one. */
export type AgentHandlers = { readonly [V in AgentVerb]: (args: AgentVerbs[V]['args']) => Promise<AgentVerbs[V]['result']> };

/**
 * What the compute API and the conductor ask of the compute agent on an instance's host (Nova's
 * compute rpcapi), typed by the closed set of verbs above. Casts for every state change:
 * the API has already moved the instance to its task state with a compare-and-set, and the agent
 * finishes the transition (or records a fault and reverts the task state). Calls only where the
 * caller needs an answer (console output, a live migration's destination).
 */
export interface ComputeAgentApi {
  cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void>;
  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']>;
}
