import type { Generated } from 'kysely';
import type { DbTimestamp } from '../../common/db/timestamps.js';

// Rows of the tables created by migrations/2026-12-04-volume-tables.ts. Type aliases, not
// interfaces: Kysely's withTables() needs their implicit index signature.

export type VolumesTable = {
  id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  /** GiB. */
  size: number;
  status: string;
  attach_status: string;
  /** Cinder's `host@backend#pool` once scheduled. */
  host: string | null;
  availability_zone: string;
  volume_type_id: string;
  bootable: boolean;
  multiattach: boolean;
  snapshot_id: string | null;
  source_volid: string | null;
  /** JSON object of string values. */
  metadata: string;
  /** JSON object of string values (Cinder's volume_glance_metadata), for a volume made from an image. */
  image_metadata: string | null;
  /** JSON object of string values (Cinder's volume_admin_metadata: readonly, attached_mode). */
  admin_metadata: string;
  /** The generic volume group it belongs to (migrations/2026-12-08-volume-groups.ts). */
  group_id: string | null;
  /** Why the volume went to error, for the log and `volume message list`. */
  error_reason: string | null;
  /** The gigabytes an extend in progress reserved, counted while `extending` (migrations/2026-12-09-volume-pending-changes.ts). */
  extending_gb: Generated<number>;
  /** The type a retype in progress goes to, whose resources count the volume while `retyping`. */
  retyping_type_id: string | null;
  launched_at: DbTimestamp | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

export type SnapshotsTable = {
  id: string;
  volume_id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  progress: string;
  metadata: string;
  /** The group snapshot it was taken in (migrations/2026-12-08-volume-groups.ts). */
  group_snapshot_id: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

export type VolumeTypesTable = {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  /** JSON object of string values. */
  extra_specs: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** A project's own limit for a resource; the configured default applies where there is none. */
export type VolumeQuotasTable = {
  project_id: string;
  resource: string;
  hard_limit: number;
};

/** Rows of migrations/2026-12-08-volume-quota-locks.ts: one per project that has made something under quota. */
export type VolumeQuotaLocksTable = {
  project_id: string;
};

/** Rows of migrations/2026-12-07-volume-quota-classes.ts. */
export type VolumeQuotaClassesTable = {
  class_name: string;
  resource: string;
  hard_limit: number;
};

/** Rows of migrations/2026-12-05-volume-backups.ts. */
export type BackupsTable = {
  id: string;
  project_id: string;
  user_id: string;
  volume_id: string;
  snapshot_id: string | null;
  /** The backup an incremental builds on. */
  parent_id: string | null;
  name: string | null;
  description: string | null;
  /** GiB: the volume's size. */
  size: number;
  status: string;
  fail_reason: string | null;
  availability_zone: string;
  container: string | null;
  /** The backup service (`[DEFAULT] host`) that holds it. */
  host: string;
  service: string | null;
  object_count: number;
  restore_volume_id: string | null;
  /** The moment of the data (the snapshot's, or the backup's start). */
  data_timestamp: DbTimestamp;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Cinder's volume_attachment (migrations/2026-12-05-volume-attachments.ts). */
export type VolumeAttachmentsTable = {
  id: string;
  volume_id: string;
  /** The volume's project, so lists filter without a join. */
  project_id: string;
  instance_uuid: string | null;
  attached_host: string | null;
  mountpoint: string | null;
  /** reserved, attaching, attached, detaching, error_attaching, error_detaching. */
  attach_status: string;
  /** rw, ro, or `null` (Cinder's default before 3.54). */
  attach_mode: string;
  /** JSON object: the connector the host sent. */
  connector: string | null;
  /** JSON object: what the backend answered (Cinder's connection_info). */
  connection_info: string | null;
  attach_time: DbTimestamp | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Cinder's transfers (migrations/2026-12-06-volume-transfers.ts): pending offers only. */
export type VolumeTransfersTable = {
  id: string;
  volume_id: string;
  /** The volume's project when the offer was made. */
  source_project_id: string;
  display_name: string | null;
  salt: string;
  /** Hex HMAC-SHA256 of the auth key under the salt. */
  crypt_hash: string;
  no_snapshots: boolean;
  created_at: DbTimestamp;
};

/** Projects' own default volume types (migrations/2026-12-07-volume-default-types.ts). */
export type VolumeDefaultTypesTable = {
  project_id: string;
  volume_type_id: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** The projects a private volume type is open to (migrations/2026-12-07-volume-type-projects.ts). */
export type VolumeTypeProjectsTable = {
  volume_type_id: string;
  project_id: string;
  created_at: DbTimestamp;
};

/** Cinder's group types (migrations/2026-12-08-volume-groups.ts). */
export type VolumeGroupTypesTable = {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  /** JSON object of string values. */
  group_specs: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Cinder's generic volume groups. */
export type VolumeGroupsTable = {
  id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  status: string;
  availability_zone: string;
  group_type_id: string;
  /** JSON array of volume type ids. */
  volume_type_ids: string;
  group_snapshot_id: string | null;
  source_group_id: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Cinder's group snapshots: one snapshot of each of a group's volumes. */
export type VolumeGroupSnapshotsTable = {
  id: string;
  group_id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  status: string;
  group_type_id: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Cinder's user messages (migrations/2026-12-08-volume-messages.ts). */
export type VolumeMessagesTable = {
  id: string;
  project_id: string | null;
  request_id: string | null;
  resource_type: string | null;
  resource_uuid: string | null;
  /** `VOLUME_<resource>_<action>_<detail>`. */
  event_id: string;
  action_id: string;
  detail_id: string;
  message_level: string;
  created_at: DbTimestamp;
  expires_at: DbTimestamp;
};

/** Backends an administrator froze (os-services freeze), by `host@backend`. */
export type VolumeFrozenBackendsTable = {
  host: string;
  created_at: DbTimestamp;
};

/** Cinder's QoS specs (migrations/2026-12-08-volume-qos-specs.ts). */
export type VolumeQosSpecsTable = {
  id: string;
  name: string;
  consumer: string;
  /** JSON object of string values. */
  specs: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** Which QoS specs each volume type is associated with. */
export type VolumeQosAssociationsTable = {
  volume_type_id: string;
  qos_specs_id: string;
  created_at: DbTimestamp;
};

/** A volume type's encryption (migrations/2026-12-08-volume-type-encryption.ts). */
export type VolumeTypeEncryptionTable = {
  volume_type_id: string;
  encryption_id: string;
  provider: string;
  cipher: string | null;
  key_size: number | null;
  control_location: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

export type VolumeTables = {
  volume_volumes: VolumesTable;
  volume_snapshots: SnapshotsTable;
  volume_types: VolumeTypesTable;
  volume_quotas: VolumeQuotasTable;
  volume_quota_classes: VolumeQuotaClassesTable;
  volume_quota_locks: VolumeQuotaLocksTable;
  volume_backups: BackupsTable;
  volume_attachments: VolumeAttachmentsTable;
  volume_transfers: VolumeTransfersTable;
  volume_default_types: VolumeDefaultTypesTable;
  volume_type_projects: VolumeTypeProjectsTable;
  volume_group_types: VolumeGroupTypesTable;
  volume_groups: VolumeGroupsTable;
  volume_group_snapshots: VolumeGroupSnapshotsTable;
  volume_messages: VolumeMessagesTable;
  volume_frozen_backends: VolumeFrozenBackendsTable;
  volume_qos_specs: VolumeQosSpecsTable;
  volume_qos_associations: VolumeQosAssociationsTable;
  volume_type_encryption: VolumeTypeEncryptionTable;
};
