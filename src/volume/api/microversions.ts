/**
 * Cinder's microversions this API implements (cinder/api/microversions.py), each a version table:
 * what exists, or how an answer looks, from which version on. The ones between that concern APIs
 * Nimbus does not have (clusters, workers, group replication) change nothing here. Rows that need
 * no table: 3.67 (URLs without the project id: Cinder's router maps both forms at every version,
 * and so does routes/index.ts), 3.69 (shared_targets may be null: it is null only for NVMe-oF
 * backends, and Nimbus's backends always say false) and 3.70 (transfers of encrypted volumes:
 * Nimbus has no encrypted volumes).
 */
import { versioned } from '../../common/http/versioned.js';

export const VOLUME_MIN_VERSION = '3.0';
/** The highest version really implemented; clients cap their requests at it. */
export const VOLUME_MAX_VERSION = '3.70';

/** 3.3 MESSAGES: the user messages API; 3.5 MESSAGES_PAGINATION its list's filters, sort and pages. */
export const MESSAGES_API = versioned([
  { min: '3.3', max: '3.4', value: { paginated: false } },
  { min: '3.5', value: { paginated: true } },
]);
/** 3.31 RESOURCE_FILTER: a non-administrator's list names only the filters configured for the resource (others are a 400). */
export const RESOURCE_FILTER = versioned([
  { min: '3.0', max: '3.30', value: false },
  { min: '3.31', value: true },
]);
/** 3.27 NEW_ATTACH: the attachments API. */
export const ATTACHMENTS_API = versioned([{ min: '3.27', value: true }]);
/** 3.44 NEW_ATTACH_COMPLETION: POST /attachments/{id}/action os-complete. */
export const ATTACHMENT_COMPLETE = versioned([{ min: '3.44', value: true }]);
/** 3.54 ATTACHMENT_CREATE_MODE_ARG: an attachment's create body may name its mode. */
export const ATTACH_MODE_ARG = versioned([
  { min: '3.0', max: '3.53', value: false },
  { min: '3.54', value: true },
]);
/** 3.1 UPLOAD_IMAGE_PARAMS: os-volume_upload_image takes visibility and protected. */
export const UPLOAD_IMAGE_PARAMS = versioned([
  { min: '3.0', max: '3.0', value: false },
  { min: '3.1', value: true },
]);
/** 3.68 SUPPORT_REIMAGE_VOLUME: the os-reimage volume action. */
export const REIMAGE_VOLUME = versioned([{ min: '3.68', value: true as const }]);
/**
 * 3.60 VOLUME_TIME_COMPARISON_FILTER: volume lists take `created_at`/`updated_at` comparisons.
 * Cinder drops the version's new filters only on its pre-3.33 path (RESOURCE_FILTER: from 3.33 on,
 * resource_filters.json decides, and its default lists both), so they work from 3.33 as well.
 */
export const TIME_COMPARISON_FILTERS = versioned([
  { min: '3.0', max: '3.32', value: false },
  { min: '3.33', value: true },
]);
/** 3.62 DEFAULT_TYPE_OVERRIDES: /default-types, a project's own default volume type. */
export const DEFAULT_TYPES_API = versioned([{ min: '3.62', value: true }]);
/** 3.9 BACKUP_UPDATE: PUT /backups/{id} (name and description). */
export const BACKUP_UPDATE = versioned([{ min: '3.9', value: true }]);
/** 3.55 TRANSFER_WITH_SNAPSHOTS: /volume-transfers, and a transfer's no_snapshots (in its body and views). */
export const TRANSFER_WITH_SNAPSHOTS = versioned([
  { min: '3.0', max: '3.54', value: false },
  { min: '3.55', value: true },
]);
/** 3.55: the /volume-transfers path (/os-volume-transfer is there at every version). */
export const VOLUME_TRANSFERS_API = versioned([{ min: '3.55', value: true }]);
/** 3.12 VOLUME_SUMMARY: GET /volumes/summary; 3.36 VOLUME_SUMMARY_METADATA adds the volumes' distinct metadata. */
export const VOLUME_SUMMARY = versioned([
  { min: '3.12', max: '3.35', value: { metadata: false } },
  { min: '3.36', value: { metadata: true } },
]);
/** 3.42 VOLUME_EXTEND_INUSE: os-extend of an in-use volume. */
export const EXTEND_IN_USE = versioned([
  { min: '3.0', max: '3.41', value: false },
  { min: '3.42', value: true },
]);

/** The fields a volume's detail view gains by version (cinder/api/v3/views/volumes.py). */
export interface VolumeViewFields {
  /** 3.13 GROUP_VOLUME: group_id. */
  readonly groupId: boolean;
  /** 3.21 VOLUME_DETAIL_PROVIDER_ID: provider_id, to admins. */
  readonly providerId: boolean;
  /** 3.48 VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS: shared_targets and service_uuid. */
  readonly sharedTargets: boolean;
  /** 3.61 VOLUME_CLUSTER_NAME: cluster_name, to admins. */
  readonly clusterName: boolean;
  /** 3.63 VOLUME_TYPE_ID_IN_VOLUME_DETAIL: volume_type_id. */
  readonly volumeTypeId: boolean;
  /** 3.64 ENCRYPTION_KEY_ID_IN_DETAILS: encryption_key_id. */
  readonly encryptionKeyId: boolean;
  /** 3.65 USE_QUOTA: consumes_quota. */
  readonly consumesQuota: boolean;
}

const BEFORE_3_61 = { clusterName: false, volumeTypeId: false, encryptionKeyId: false, consumesQuota: false };

export const VOLUME_VIEW_FIELDS = versioned<VolumeViewFields>([
  { min: '3.0', max: '3.12', value: { groupId: false, providerId: false, sharedTargets: false, ...BEFORE_3_61 } },
  { min: '3.13', max: '3.20', value: { groupId: true, providerId: false, sharedTargets: false, ...BEFORE_3_61 } },
  { min: '3.21', max: '3.47', value: { groupId: true, providerId: true, sharedTargets: false, ...BEFORE_3_61 } },
  { min: '3.48', max: '3.60', value: { groupId: true, providerId: true, sharedTargets: true, ...BEFORE_3_61 } },
  { min: '3.61', max: '3.62', value: { groupId: true, providerId: true, sharedTargets: true, ...BEFORE_3_61, clusterName: true } },
  { min: '3.63', max: '3.63', value: { groupId: true, providerId: true, sharedTargets: true, ...BEFORE_3_61, clusterName: true, volumeTypeId: true } },
  { min: '3.64', max: '3.64', value: { groupId: true, providerId: true, sharedTargets: true, clusterName: true, volumeTypeId: true, encryptionKeyId: true, consumesQuota: false } },
  { min: '3.65', value: { groupId: true, providerId: true, sharedTargets: true, clusterName: true, volumeTypeId: true, encryptionKeyId: true, consumesQuota: true } },
]);

/** A backup's detail view by version: 3.56 BACKUP_PROJECT_USER_ID its user_id, 3.64 its encryption_key_id. */
export const BACKUP_VIEW_FIELDS = versioned([
  { min: '3.0', max: '3.55', value: { userId: false, encryptionKeyId: false } },
  { min: '3.56', max: '3.63', value: { userId: true, encryptionKeyId: false } },
  { min: '3.64', value: { userId: true, encryptionKeyId: true } },
]);

/** 3.57 TRANSFER_WITH_HISTORY: a transfer's view shows its source and destination projects and whether it was accepted. */
export const TRANSFER_WITH_HISTORY = versioned([
  { min: '3.0', max: '3.56', value: false },
  { min: '3.57', value: true },
]);

/** 3.65 USE_QUOTA: a snapshot's view shows consumes_quota. */
export const SNAPSHOT_CONSUMES_QUOTA = versioned([
  { min: '3.0', max: '3.64', value: false },
  { min: '3.65', value: true },
]);

/**
 * 3.66 SNAPSHOT_IN_USE: a snapshot of an in-use volume needs no `force`; `force: false` is
 * refused (true is ignored).
 */
export const SNAPSHOT_IN_USE = versioned([
  { min: '3.0', max: '3.65', value: false },
  { min: '3.66', value: true },
]);

/** 3.41 SNAPSHOT_LIST_USER_ID: a snapshot's view shows its user_id; 3.14 GROUP_SNAPSHOTS its group_snapshot_id. */
export const SNAPSHOT_VIEW_FIELDS = versioned([
  { min: '3.0', max: '3.13', value: { groupSnapshotId: false, userId: false } },
  { min: '3.14', max: '3.40', value: { groupSnapshotId: true, userId: false } },
  { min: '3.41', value: { groupSnapshotId: true, userId: true } },
]);

/** 3.11 GROUP_TYPE: /group_types and their group_specs. */
export const GROUP_TYPES_API = versioned([{ min: '3.11', value: true }]);
/** 3.13 GROUP_VOLUME: /groups, and a volume's group_id. */
export const GROUPS_API = versioned([{ min: '3.13', value: true }]);
/** 3.14 GROUP_SNAPSHOTS: /group_snapshots and create-from-src. */
export const GROUP_SNAPSHOTS_API = versioned([{ min: '3.14', value: true }]);
/** 3.19 GROUP_SNAPSHOT_RESET_STATUS: a group snapshot's reset_status. */
export const GROUP_SNAPSHOT_RESET_STATUS = versioned([{ min: '3.19', value: true }]);
/** 3.20 GROUP_VOLUME_RESET_STATUS: a group's reset_status. */
export const GROUP_RESET_STATUS = versioned([{ min: '3.20', value: true }]);

/** What a group's detail view gains by version (cinder/api/v3/views/groups.py). */
export interface GroupViewFields {
  /** 3.14 GROUP_SNAPSHOTS: group_snapshot_id and source_group_id. */
  readonly sources: boolean;
  /** 3.25 GROUP_VOLUME_LIST: volumes, when asked with list_volume. */
  readonly volumes: boolean;
  /** 3.38 GROUP_REPLICATION: replication_status. */
  readonly replicationStatus: boolean;
  /** 3.58 GROUP_GROUPSNAPSHOT_PROJECT_ID: project_id, by policy. */
  readonly projectId: boolean;
}

export const GROUP_VIEW_FIELDS = versioned<GroupViewFields>([
  { min: '3.13', max: '3.13', value: { sources: false, volumes: false, replicationStatus: false, projectId: false } },
  { min: '3.14', max: '3.24', value: { sources: true, volumes: false, replicationStatus: false, projectId: false } },
  { min: '3.25', max: '3.37', value: { sources: true, volumes: true, replicationStatus: false, projectId: false } },
  { min: '3.38', max: '3.57', value: { sources: true, volumes: true, replicationStatus: true, projectId: false } },
  { min: '3.58', value: { sources: true, volumes: true, replicationStatus: true, projectId: true } },
]);

/** 3.58: a group snapshot's view shows its project_id, by policy. */
export const GROUP_SNAPSHOT_PROJECT_ID = versioned([
  { min: '3.14', max: '3.57', value: false },
  { min: '3.58', value: true },
]);

/** 3.10 VOLUME_LIST_GROUP: volume lists filter by group_id. */
export const VOLUME_LIST_GROUP = versioned([
  { min: '3.0', max: '3.9', value: false },
  { min: '3.10', value: true },
]);
