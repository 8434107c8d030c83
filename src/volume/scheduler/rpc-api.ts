/**
 * The volume scheduler's RPC API (cinder-scheduler's SchedulerAPI), topic `cinder-scheduler`:
 * placement verbs from the API, capability reports from the volume services, and the outcome of
 * their work. The scheduler is the volume worker that holds the database, so volume services need
 * only the bus (as compute agents report through the conductor).
 */
import type { VolumeSource } from '../manager/rpc-api.js';
import type { MessageEvent, MessageKind } from '../volumes/user-message.js';
import type { SnapshotStatus, VolumeStatus } from '../volumes/volume.js';
import type { VolumeRequestSpec } from './request-spec.js';

export const VOLUME_SCHEDULER_TOPIC = 'cinder-scheduler';
export const VOLUME_SCHEDULER_API_VERSION = '1.0';

/** A backend's report, in Cinder's capability names (what volume type extra specs match). */
export interface BackendCapabilities {
  readonly volume_backend_name: string;
  readonly vendor_name: string;
  readonly driver_version: string;
  readonly storage_protocol: string;
  readonly total_capacity_gb: number;
  readonly free_capacity_gb: number;
  readonly provisioned_capacity_gb: number;
  readonly reserved_percentage: number;
  readonly max_over_subscription_ratio: number;
  readonly thin_provisioning_support: boolean;
  readonly thick_provisioning_support: boolean;
  readonly multiattach: boolean;
  readonly online_extend_support: boolean;
  readonly [name: string]: string | number | boolean;
}

export interface BackendReport {
  /** `host@backend`. */
  readonly backendHost: string;
  readonly pool: string;
  readonly availabilityZone: string;
  readonly capabilities: BackendCapabilities;
}

/** A pool as the scheduler reports it (Cinder's HostManager.get_pools): what its backend last reported, and when. */
export interface PoolReport {
  /** `host@backend#pool`. */
  readonly name: string;
  /** The backend's capabilities and `timestamp`, the report's time (ISO 8601). */
  readonly capabilities: Readonly<Record<string, string | number | boolean>>;
}

export interface ScheduleCreateArgs {
  readonly spec: VolumeRequestSpec;
  readonly source: VolumeSource;
}

export interface ScheduleExtendArgs {
  readonly spec: VolumeRequestSpec;
  readonly newSizeGb: number;
  /** The instances the volume is attached to (3.42's extend of an in-use volume); compute is told once it grew. */
  readonly instanceUuids?: readonly string[];
}

export interface ScheduleRetypeArgs {
  /** The new type's extra specs, for the volume's own backend to pass (size 0: nothing is consumed). */
  readonly spec: VolumeRequestSpec;
  readonly newTypeId: string;
  /** Where the volume goes back to, whatever the outcome. */
  readonly previousStatus: VolumeStatus;
  readonly migrationPolicy: 'never' | 'on-demand';
}

/** A volume's fields as a volume service changes them. */
export interface VolumeUpdate {
  readonly status: VolumeStatus;
  readonly size?: number;
  readonly bootable?: boolean;
  readonly errorReason?: string | null;
  /** ISO-8601: the volume became available. */
  readonly launchedAt?: string;
  /** A reimaged volume's new image metadata. */
  readonly imageMetadata?: Readonly<Record<string, string>>;
  /** What the user is told of a failure (a message about the volume, for the request's project). */
  readonly message?: MessageKind;
}

/** A snapshot's fields as a volume service changes them. */
export interface SnapshotUpdate {
  readonly status: SnapshotStatus;
  readonly progress?: string;
  /** What the user is told of a failure (a message about the snapshot, for the request's project). */
  readonly message?: MessageKind;
}

export interface SchedulerVerbs {
  create_volume: ScheduleCreateArgs;
  extend_volume: ScheduleExtendArgs;
  retype_volume: ScheduleRetypeArgs;
  update_service_capabilities: { readonly report: BackendReport };
  get_pools: Record<string, never>;
  /** A backend's last report whether or not it is open (capabilities/{host}); null before its first. */
  get_backend_report: { readonly backendHost: string };
  volume_update: { readonly volumeId: string; readonly update: VolumeUpdate };
  volume_deleted: { readonly volumeId: string };
  snapshot_update: { readonly snapshotId: string } & SnapshotUpdate;
  /** A failure told to the user on its own, once the resource's state is already recorded (Cinder's message_api.create). */
  record_message: { readonly event: MessageEvent };
  snapshot_deleted: { readonly snapshotId: string };
}
