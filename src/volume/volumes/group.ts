/** Cinder's generic volume groups (3.13), their types (3.11) and group snapshots (3.14), as the group service handles them. */

/** Cinder's GroupStatus.ALL: what os-reset_status of a group accepts. */
export const GROUP_STATUSES = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'in-use'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** Cinder's GroupSnapshotStatus.ALL. */
export const GROUP_SNAPSHOT_STATUSES = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting'] as const;
export type GroupSnapshotStatus = (typeof GROUP_SNAPSHOT_STATUSES)[number];

/** The group type Cinder reserves for consistency groups migrated to groups: the group APIs refuse it. */
export const DEFAULT_CGSNAPSHOT_TYPE = 'default_cgsnapshot_type';

export interface GroupType {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly isPublic: boolean;
  readonly groupSpecs: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export interface Group {
  readonly id: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly status: GroupStatus;
  readonly availabilityZone: string;
  readonly groupTypeId: string;
  readonly volumeTypeIds: readonly string[];
  readonly groupSnapshotId: string | null;
  readonly sourceGroupId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

export interface GroupSnapshot {
  readonly id: string;
  readonly groupId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly status: GroupSnapshotStatus;
  readonly groupTypeId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}
