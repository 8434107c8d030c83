/** Cinder's backup record as the volume and backup services handle it (the backup store maps rows to it). */

/** Cinder's backup statuses (cinder/objects/fields.py BackupStatus). */
export const BACKUP_STATUSES = ['error', 'error_deleting', 'creating', 'available', 'deleting', 'deleted', 'restoring'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

export interface Backup {
  readonly id: string;
  readonly projectId: string;
  readonly userId: string;
  readonly volumeId: string;
  readonly snapshotId: string | null;
  /** The backup an incremental builds on; null for a full one. */
  readonly parentId: string | null;
  readonly name: string | null;
  readonly description: string | null;
  /** GiB: the volume's size at the backup. */
  readonly size: number;
  readonly status: BackupStatus;
  readonly failReason: string | null;
  readonly availabilityZone: string;
  readonly container: string | null;
  /** The backup service holding it (`[DEFAULT] host` of its node). */
  readonly host: string;
  readonly service: string | null;
  readonly objectCount: number;
  readonly restoreVolumeId: string | null;
  readonly dataTimestamp: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

/** A backup with what the views need to know of its neighbours. */
export interface BackupView extends Backup {
  readonly hasDependentBackups: boolean;
}
