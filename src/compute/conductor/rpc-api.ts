/**
 * The conductor's RPC API as it travels on the bus (Nova's conductor `compute_task` namespace and
 * the DB proxy a compute agent uses instead of DB credentials). Plain JSON shapes only.
 */
import type { AgentVolume, BlockDeviceMapping } from '../volumes/block-device.js';
import type { BlockDeviceSave } from '../db/bdm-store.js';
import type { DriverCapabilities } from '../virt/capabilities.js';
import type { HostResources } from '../virt/host-resources.js';
import type { FlavorSpec } from '../virt/instance-spec.js';
import type { TaskState } from '../state/task-states.js';
import type { VmState } from '../state/vm-states.js';
import type { WireRequestSpec } from '../scheduler/rpc-api.js';
import type { Destination } from '../scheduler/select-destinations.js';
import type { MigrationChanges, MigrationStatus } from '../moves/migration.js';
import type { SystemMetadataChanges } from '../db/system-metadata.js';
import type { Flavor } from '../flavors/flavor.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import type { NetworkInfo } from '../network/network-info.js';

export const CONDUCTOR_TOPIC = 'conductor';
export const CONDUCTOR_API_VERSION = '1.0';

/** What an agent knows of an instance: the row, in the agent's words. */
export interface AgentInstance {
  readonly uuid: string;
  /** Hypervisor-side name. */
  readonly name: string;
  readonly hostname: string;
  readonly displayName: string;
  readonly projectId: string;
  readonly userId: string;
  readonly launchIndex: number;
  readonly availabilityZone: string;
  readonly imageRef: string;
  readonly flavor: FlavorSpec;
  readonly vmState: string;
  readonly taskState: string | null;
  readonly powerState: number;
  readonly host: string | null;
  readonly node: string | null;
  readonly userData: string | null;
  readonly keyName: string | null;
  readonly keyData: string | null;
  readonly configDrive: boolean;
  readonly rootDeviceName: string | null;
  /** The server's metadata (user key/value pairs), for the config drive and the metadata service. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The volumes attached (Nova's block device mappings with a volume), in attachment order. */
  readonly volumes: readonly AgentVolume[];
  /** The instance's ports as last bound (its info cache): the guest's NICs. */
  readonly networkInfo: NetworkInfo;
}

/** An agent's change to a volume's block device mapping: the connection its host got. */
export interface BlockDeviceUpdateArgs {
  readonly instanceUuid: string;
  readonly volumeId: string;
  readonly connectionInfo: Readonly<Record<string, unknown>> | null;
}

/** A block device mapping as an agent reads it over the bus (Nova's BlockDeviceMappingList.get_by_instance_uuid). */
export type AgentBlockDevice = Omit<BlockDeviceMapping, 'createdAt'>;

/** An agent's save of a mapping it prepared (Nova's bdm.save()): the volume it made, the attachment and connection. */
export interface BlockDeviceSaveArgs {
  readonly id: number;
  readonly changes: BlockDeviceSave;
}

/** The mapping of one volume of the instance goes (detached); without a volume id all of them (the instance is gone). */
export interface BlockDeviceDestroyArgs {
  readonly instanceUuid: string;
  readonly volumeId?: string;
}

export interface InfoCacheUpdateArgs {
  readonly uuid: string;
  readonly networkInfo: NetworkInfo;
}

export interface ExpectedStateWire {
  readonly vmState?: readonly VmState[];
  readonly taskState?: readonly (TaskState | null)[];
  /** The host it must still be on; null: on none yet. */
  readonly host?: string | null;
}

/** The columns an agent may change; times as ISO strings. */
export interface InstanceUpdate {
  readonly vmState?: VmState;
  readonly taskState?: TaskState | null;
  readonly powerState?: number;
  readonly host?: string | null;
  readonly node?: string | null;
  /** The zone of the host the instance is placed on (Nova's instance.availability_zone); null when it leaves its host. */
  readonly availabilityZone?: string | null;
  readonly launchedAt?: string;
  readonly terminatedAt?: string;
  /** Soft-deletes the row (deleted, deleted_at). */
  readonly deleted?: true;
  /** System metadata keys to set (null: remove), written only if the state change applied. */
  readonly systemMetadata?: SystemMetadataChanges;
  /** The instance has a config drive now (a build gave it one unasked): config_drive becomes 'True'. */
  readonly configDrive?: true;
  /** The flavor JSON (cur/old/new); a new `cur` also sets flavor_id, vcpus, memory_mb, root_gb, ephemeral_gb. */
  readonly flavors?: InstanceFlavors;
}

/** The instance's flavors during a resize: `cur` absent keeps the current one. */
export interface InstanceFlavors {
  readonly cur?: Flavor;
  readonly old: Flavor | null;
  readonly new: Flavor | null;
}

export interface InstanceUpdateArgs {
  readonly uuid: string;
  readonly expected: ExpectedStateWire;
  readonly changes: InstanceUpdate;
}

export interface FaultArgs {
  readonly uuid: string;
  readonly code: number;
  readonly message: string;
  readonly details?: string;
  readonly host?: string;
}

export interface ActionEventArgs {
  readonly uuid: string;
  /** Nova's event names: `compute__do_build_and_run_instance`, `compute_stop_instance` … */
  readonly event: string;
  readonly host: string;
}

export interface ActionEventFinishArgs extends ActionEventArgs {
  readonly result: 'Success' | 'Error';
  readonly traceback?: string;
}

export interface ComputeNodeUpdateArgs {
  readonly host: string;
  readonly resources: HostResources;
  readonly instanceUuids: readonly string[];
  /** The driver's capabilities, for the API's 501 (absent from agents that predate the report). */
  readonly capabilities?: DriverCapabilities;
}

export interface ServiceHeartbeatArgs {
  readonly binary: string;
  readonly host: string;
  readonly topic: string;
}

/** The beats of the hosts of one agent process, sent as one message. */
export interface ServiceHeartbeatsArgs {
  readonly services: readonly ServiceHeartbeatArgs[];
}

export interface BuildInstancesArgs {
  readonly builds: readonly BuildRequest[];
  readonly spec: WireRequestSpec;
}

/** A fault as it travels with a reschedule. */
export interface BuildFault {
  readonly code: number;
  readonly message: string;
  readonly details?: string;
}

export interface RescheduleArgs {
  readonly build: BuildRequest;
  /** The spec the failed attempt ran under, `retry` included. */
  readonly spec: WireRequestSpec;
  readonly failedHost: string;
  readonly alternates: readonly Destination[];
  readonly fault: BuildFault;
}

/** Nova's conductor unshelve_instance: a shelved server to put back on a host (scheduled again when offloaded). */
export interface UnshelveServerArgs {
  readonly instanceUuid: string;
  /** Where it may go (flavor, image, the zone asked for); used only for an offloaded server. */
  readonly spec: WireRequestSpec;
}

/** A migration status step an agent reports (resize source → migrating, destination → finished …). */
export interface MigrationUpdateArgs {
  readonly id: number;
  readonly changes: MigrationChanges;
  /** Only while the status is one of these (compare-and-set); absent: unconditionally. */
  readonly expectedStatuses?: readonly MigrationStatus[];
}

/** migrate_server as it travels: a ResizeRequest with its spec in wire form. */
export interface MigrateServerArgs extends Omit<ResizeRequest, 'spec'> {
  readonly spec: WireRequestSpec;
}

export interface LiveMigrateInstanceArgs {
  readonly request: LiveMigrateRequest;
  /** The API waits for the checks (a call, before 2.34): their error is its answer. */
  readonly wait: boolean;
}

export interface EvacuateServerArgs {
  readonly request: EvacuateRequest;
}

/** A resize's claims and allocations, settled at confirm (source's go) or revert/failure (destination's go). */
export interface MoveResourcesArgs {
  readonly instanceUuid: string;
  /** The migration's uuid: its claim and allocation are the destination's. */
  readonly migrationUuid: string;
}

export interface PollUnconfirmedResizesArgs {
  /** The destination compute whose finished resizes are due. */
  readonly host: string;
  /** `[DEFAULT] resize_confirm_window`. */
  readonly confirmWindowSeconds: number;
}

/** One entry of a create request's `networks`: a port, or a network with an optional fixed IP. */
export interface RequestedNetwork {
  readonly uuid?: string;
  readonly port?: string;
  readonly fixedIp?: string;
  /** The device tag (2.32+). */
  readonly tag?: string;
}

/** `auto`: a port on the project's one usable network, if any; `none`: no NIC; else what was listed. */
export type RequestedNetworks = 'auto' | 'none' | readonly RequestedNetwork[];

/** One server of a build request, already written to the database by the API (vm_state building). */
export interface BuildRequest {
  readonly instanceUuid: string;
  /** Glance image id the server boots from. */
  readonly imageRef: string;
  readonly adminPassword?: string;
  /** Networks asked for, as the API validated them (Nova's NetworkRequestList). */
  readonly requestedNetworks: RequestedNetworks;
  /** Security group names or ids for the ports Nova makes (absent: Neutron's default group). */
  readonly securityGroups?: readonly string[];
}

/** A resize (new flavor) or cold migration (same flavor) of one server, already in task resize_prep. */
export interface ResizeRequest {
  readonly instanceUuid: string;
  /** The flavor to move to: the current one for a cold migration. */
  readonly flavor: Flavor;
  /** The flavor the server has now. */
  readonly oldFlavor: Flavor;
  /** active or stopped: what the server returns to (and whether the guest runs on the destination). */
  readonly oldVmState: 'active' | 'stopped';
  readonly cleanShutdown: boolean;
  /** Scheduling for the new flavor; `requestedDestination` for a 2.56 migrate with a host. */
  readonly spec: RequestSpec;
}

/** A live migration the API accepted: the instance is in task migrating, its migration `accepted`. */
export interface LiveMigrateRequest {
  readonly instanceUuid: string;
  readonly migrationId: number;
  /** The destination the caller named, or null for the scheduler's choice. */
  readonly host: string | null;
  /** Claim on `host` without the scheduler's filters (Nova's force, and any host before 2.30). */
  readonly force: boolean;
  /** Copy the disks too; null is Nova's "auto" (2.25): block migration unless storage is shared. */
  readonly blockMigration: boolean | null;
  /** The zone the server was booted (or unshelved) into, its RequestSpec's: the scheduler stays in it. */
  readonly availabilityZone: string | null;
}

/** An evacuation the API accepted: the instance is in task rebuilding, its migration `accepted`. */
export interface EvacuateRequest {
  readonly instanceUuid: string;
  readonly migrationId: number;
  readonly host: string | null;
  readonly force: boolean;
  readonly adminPassword: string | null;
  /** Before 2.14 the caller says; from 2.14 null: the destination finds out (here: not shared). */
  readonly onSharedStorage: boolean | null;
  /** The zone the server was booted (or unshelved) into, its RequestSpec's: the scheduler stays in it. */
  readonly availabilityZone: string | null;
}

/**
 * What the compute API asks of the conductor (Nova's ComputeTaskAPI, the `compute_task` RPC
 * namespace). Casts: the API returns 202 and never waits on scheduling or a hypervisor.
 */
export interface ComputeTaskApi {
  /** Schedules each server (select_destinations with alternates) and casts the build to its host; reschedules on failure, ERROR with a fault after the last attempt. */
  buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void>;
  /** A shelved server back to ACTIVE: powered on where it is, or (offloaded) scheduled with `spec` and spawned from its snapshot. */
  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void>;
  /** Nova's resize_instance (migrate_server): schedules the new flavor elsewhere and starts the move; NoValidHost puts the server back as it was, with a fault. */
  resizeInstance(request: ResizeRequest): Promise<void>;
  /**
   * Checks and claims the destination, then casts the live migration to the source host. `wait`
   * (before 2.34) makes it a call, so a refused destination comes back to the API as its 400.
   */
  liveMigrateInstance(request: LiveMigrateRequest, options: { readonly wait: boolean }): Promise<void>;
  /** Schedules and claims a destination for an instance whose host is down, and rebuilds it there. */
  evacuateInstance(request: EvacuateRequest): Promise<void>;
}
