/** Cinder's records as the volume service handles them (the store maps rows to these). */

/** Cinder's volume statuses this service reaches (attaching ones come with attachments). */
export const VOLUME_STATUSES = [
  'creating',
  'available',
  'reserved',
  'attaching',
  'detaching',
  'in-use',
  'maintenance',
  'deleting',
  'awaiting-transfer',
  'error',
  'error_deleting',
  'backing-up',
  'restoring-backup',
  'error_backing-up',
  'error_restoring',
  'error_extending',
  'error_managing',
  'downloading',
  'uploading',
  'retyping',
  'extending',
] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

export const SNAPSHOT_STATUSES = ['creating', 'available', 'backing-up', 'deleting', 'error', 'deleted', 'unmanaging', 'restoring', 'error_deleting'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export type AttachStatus = 'attached' | 'attaching' | 'detached' | 'reserved' | 'detaching';

export interface Volume {
  readonly id: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string | null;
  readonly description: string | null;
  /** GiB. */
  readonly size: number;
  readonly status: VolumeStatus;
  readonly attachStatus: AttachStatus;
  /** `host@backend#pool`, once scheduled. */
  readonly host: string | null;
  readonly availabilityZone: string;
  readonly volumeTypeId: string;
  readonly bootable: boolean;
  readonly multiattach: boolean;
  readonly snapshotId: string | null;
  readonly sourceVolid: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly imageMetadata: Readonly<Record<string, string>> | null;
  /** Cinder's admin metadata (`readonly`, `attached_mode`): set by the service and admins only. */
  readonly adminMetadata: Readonly<Record<string, string>>;
  /** The generic volume group it belongs to (3.13). */
  readonly groupId: string | null;
  readonly errorReason: string | null;
  readonly launchedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

export interface Snapshot {
  readonly id: string;
  readonly volumeId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly size: number;
  readonly status: SnapshotStatus;
  readonly progress: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The group snapshot it was taken in (3.14): deleted only with it. */
  readonly groupSnapshotId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

export interface VolumeType {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly isPublic: boolean;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

/** Cinder's name of the type every volume without one gets. */
export const DEFAULT_VOLUME_TYPE = '__DEFAULT__';

/** The backend part of `host@backend#pool`: where a volume's manager listens. */
export function backendHostOf(host: string): string {
  const pool = host.indexOf('#');
  return pool < 0 ? host : host.slice(0, pool);
}
