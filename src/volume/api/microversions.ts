/**
 * Cinder's microversions this API implements (cinder/api/microversions.py), each a version table:
 * what exists, or how an answer looks, from which version on. The ones between that concern APIs
 * Nimbus does not have (groups, clusters, messages, workers) change nothing here.
 */
import { versioned } from '../../common/http/versioned.js';

export const VOLUME_MIN_VERSION = '3.0';
/** The highest version really implemented; clients cap their requests at it. */
export const VOLUME_MAX_VERSION = '3.55';

/** 3.27 NEW_ATTACH: the attachments API. */
export const ATTACHMENTS_API = versioned([{ min: '3.27', value: true }]);
/** 3.44 NEW_ATTACH_COMPLETION: POST /attachments/{id}/action os-complete. */
export const ATTACHMENT_COMPLETE = versioned([{ min: '3.44', value: true }]);
/** 3.54 ATTACHMENT_CREATE_MODE_ARG: an attachment's create body may name its mode. */
export const ATTACH_MODE_ARG = versioned([
  { min: '3.0', max: '3.53', value: false },
  { min: '3.54', value: true },
]);
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
}

export const VOLUME_VIEW_FIELDS = versioned<VolumeViewFields>([
  { min: '3.0', max: '3.12', value: { groupId: false, providerId: false, sharedTargets: false } },
  { min: '3.13', max: '3.20', value: { groupId: true, providerId: false, sharedTargets: false } },
  { min: '3.21', max: '3.47', value: { groupId: true, providerId: true, sharedTargets: false } },
  { min: '3.48', value: { groupId: true, providerId: true, sharedTargets: true } },
]);

/** 3.41 SNAPSHOT_LIST_USER_ID: a snapshot's view shows its user_id; 3.14 GROUP_SNAPSHOTS its group_snapshot_id. */
export const SNAPSHOT_VIEW_FIELDS = versioned([
  { min: '3.0', max: '3.13', value: { groupSnapshotId: false, userId: false } },
  { min: '3.14', max: '3.40', value: { groupSnapshotId: true, userId: false } },
  { min: '3.41', value: { groupSnapshotId: true, userId: true } },
]);
