/**
 * Test-only: Cinder Zed's default policies (src/volume/policies.ts: the admin role, or the
 * member/reader role on the target's project) as the status each persona gets on each volume
 * route; run by policy-matrix.test.ts. Each persona calls under its own project's URL; the
 * resource of a row belongs to the owning project, and another project's is 404 to a caller
 * (Cinder looks it up in the caller's project first).
 */
import { randomUUID } from 'node:crypto';
import { statuses, type Expectation, type MatrixRow } from '../../common/policy/testing/policy-matrix.js';

/** What a row can make, fresh for each persona: available volumes and snapshots of the owning project, and types. */
export interface VolumeMatrixFixture {
  /** An available 1 GiB volume with metadata `{a: "b"}`. */
  volume(): Promise<string>;
  /** As volume(), with the image metadata `{image_name: "i"}`. */
  volumeWithImageMetadata(): Promise<string>;
  /** An available snapshot (of a fresh volume) with metadata `{a: "b"}`. */
  snapshot(): Promise<string>;
  /** A volume type made by the administrator, with the extra spec `a=b`. */
  type(): Promise<string>;
  /** A private volume type (Cinder lists access only for those: a public one's is 404). */
  privateType(): Promise<string>;
  /** An available backup of an owning project's volume (shared between rows while it lasts: a backup reads a whole volume). */
  backup(): Promise<string>;
  /** An attachment of a fresh volume, its host connected (so it can be completed). */
  attachment(): Promise<string>;
  /** The owning project's own default volume type, set (to the configured default) by the administrator. */
  projectDefault(): Promise<void>;
  /** A volume type with an encryption (provider `p`, front-end). */
  encryptedType(): Promise<string>;
  /** QoS specs made by the administrator, with the key `a=b`. */
  qosSpecs(): Promise<string>;
  /** A user message of the owning project (a volume no backend could hold). */
  message(): Promise<string>;
  /** A transfer of a fresh volume, with the auth key it was created with. */
  transfer(): Promise<{ readonly id: string; readonly authKey: string }>;
  /** A public group type made by the administrator, with the group spec `a=b`. */
  groupType(): Promise<string>;
  /** An empty group of the owning project (a fresh group type, the default volume type). */
  group(): Promise<string>;
  /** As group(), with one available volume. */
  groupWithVolume(): Promise<string>;
  /** An available group snapshot of a group with one volume. */
  groupSnapshot(): Promise<string>;
}

/** os-volume_upload_image takes visibility from 3.1. */
const V31 = { 'openstack-api-version': 'volume 3.1' };
/** /messages exists from 3.3. */
const V33 = { 'openstack-api-version': 'volume 3.3' };
/** The attachments API exists from 3.27 (os-complete from 3.44). */
const V354 = { 'openstack-api-version': 'volume 3.54' };
/** /volume-transfers exists from 3.55. */
const V355 = { 'openstack-api-version': 'volume 3.55' };
/** The group APIs: group types from 3.11, groups 3.13, group snapshots 3.14, their reset_status 3.19 and 3.20. */
const V320 = { 'openstack-api-version': 'volume 3.20' };
/** /default-types exists from 3.62. */
const V362 = { 'openstack-api-version': 'volume 3.62' };
const CONNECTOR = { host: 'compute-1', mountpoint: '/dev/vdb' };

const ANYONE = statuses(200, 200, 200, 200);
const ADMIN_ONLY = (ok: number): Expectation => statuses(ok, 403, 403, 403);
/** READER on the owning project's resource. */
const READS = statuses(200, 200, 404, 200);
/** MEMBER on the owning project's resource. */
const CHANGES = (ok: number): Expectation => statuses(ok, ok, 404, 403);
/** ADMIN_API on the owning project's resource: another project cannot find it first. */
const ADMIN_CHANGES = (ok: number): Expectation => statuses(ok, 403, 404, 403);

/** An exported record under a fresh id, of the harness's backup service (`test-host`). */
function importableRecord(): { backup_service: string; backup_url: string } {
  const id = randomUUID();
  const record = {
    id, volume_id: randomUUID(), size: 1, display_name: null, availability_zone: 'nova', container: `backup-${id}`,
    host: 'test-host', object_count: 0, data_timestamp: new Date().toISOString(),
  };
  return { backup_service: 'cinder.backup.drivers.posix.PosixBackupDriver', backup_url: Buffer.from(JSON.stringify(record)).toString('base64') };
}

const volume = async (fx: VolumeMatrixFixture) => `/volumes/${await fx.volume()}`;
const snapshot = async (fx: VolumeMatrixFixture) => `/snapshots/${await fx.snapshot()}`;
const type = async (fx: VolumeMatrixFixture) => `/types/${await fx.type()}`;
const backup = async (fx: VolumeMatrixFixture) => `/backups/${await fx.backup()}`;
const projectDefault = async (fx: VolumeMatrixFixture) => {
  await fx.projectDefault();
  return '/default-types/owner-project';
};
const P = '/v3/:project_id';
const groupType = async (fx: VolumeMatrixFixture) => `/group_types/${await fx.groupType()}`;
const group = async (fx: VolumeMatrixFixture) => `/groups/${await fx.group()}`;
const groupSnapshot = async (fx: VolumeMatrixFixture) => `/group_snapshots/${await fx.groupSnapshot()}`;
/** Group types have no read rule in Zed: anyone with a token lists and shows them. */
const GROUP_ROWS: readonly MatrixRow<VolumeMatrixFixture>[] = [
  { route: `GET ${P}/group_types`, zed: ANYONE, request: () => ({ path: '/group_types', headers: V320 }) },
  // No [volume] default_group_type here: Cinder's 404 for everyone.
  { route: `GET ${P}/group_types/default`, zed: statuses(404, 404, 404, 404), request: () => ({ path: '/group_types/default', headers: V320 }) },
  { route: `GET ${P}/group_types/:group_type_id`, zed: ANYONE, request: async (fx) => ({ path: await groupType(fx), headers: V320 }) },
  { route: `POST ${P}/group_types`, zed: ADMIN_ONLY(202), request: () => ({ path: '/group_types', headers: V320, body: { group_type: { name: `matrix-${randomUUID()}` } } }) },
  { route: `PUT ${P}/group_types/:group_type_id`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: await groupType(fx), headers: V320, body: { group_type: { description: 'd' } } }) },
  { route: `DELETE ${P}/group_types/:group_type_id`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: await groupType(fx), headers: V320 }) },
  { route: `GET ${P}/group_types/:group_type_id/group_specs`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await groupType(fx)}/group_specs`, headers: V320 }) },
  {
    route: `POST ${P}/group_types/:group_type_id/group_specs`, zed: ADMIN_ONLY(202),
    request: async (fx) => ({ path: `${await groupType(fx)}/group_specs`, headers: V320, body: { group_specs: { c: 'd' } } }),
  },
  { route: `GET ${P}/group_types/:group_type_id/group_specs/:key`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await groupType(fx)}/group_specs/a`, headers: V320 }) },
  { route: `PUT ${P}/group_types/:group_type_id/group_specs/:key`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await groupType(fx)}/group_specs/a`, headers: V320, body: { a: 'c' } }) },
  { route: `DELETE ${P}/group_types/:group_type_id/group_specs/:key`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `${await groupType(fx)}/group_specs/a`, headers: V320 }) },
  // A group of the caller's own project, of a public group type and volume type.
  {
    route: `POST ${P}/groups`, zed: statuses(202, 202, 202, 403),
    request: async (fx) => ({ path: '/groups', headers: V320, body: { group: { group_type: await fx.groupType(), volume_types: ['__DEFAULT__'] } } }),
  },
  // create-from-src: the create rule on the caller's project, then the source, which another project cannot find.
  {
    route: `POST ${P}/groups/action`, zed: statuses(202, 202, 404, 403),
    request: async (fx) => ({ path: '/groups/action', headers: V320, body: { 'create-from-src': { source_group_id: await fx.groupWithVolume() } } }),
  },
  { route: `GET ${P}/groups`, zed: ANYONE, request: () => ({ path: '/groups', headers: V320 }) },
  { route: `GET ${P}/groups/detail`, zed: ANYONE, request: () => ({ path: '/groups/detail', headers: V320 }) },
  { route: `GET ${P}/groups/:group_id`, zed: READS, request: async (fx) => ({ path: await group(fx), headers: V320 }) },
  { route: `PUT ${P}/groups/:group_id`, zed: CHANGES(202), request: async (fx) => ({ path: await group(fx), headers: V320, body: { group: { name: 'renamed' } } }) },
  { route: `POST ${P}/groups/:group_id/action`, case: 'delete', zed: CHANGES(202), request: async (fx) => ({ path: `${await group(fx)}/action`, headers: V320, body: { delete: {} } }) },
  {
    route: `POST ${P}/groups/:group_id/action`, case: 'reset_status', zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await group(fx)}/action`, headers: V320, body: { reset_status: { status: 'error' } } }),
  },
  // A group snapshot of the owning project's group: another project cannot find the group.
  {
    route: `POST ${P}/group_snapshots`, zed: CHANGES(202),
    request: async (fx) => ({ path: '/group_snapshots', headers: V320, body: { group_snapshot: { group_id: await fx.groupWithVolume() } } }),
  },
  { route: `GET ${P}/group_snapshots`, zed: ANYONE, request: () => ({ path: '/group_snapshots', headers: V320 }) },
  { route: `GET ${P}/group_snapshots/detail`, zed: ANYONE, request: () => ({ path: '/group_snapshots/detail', headers: V320 }) },
  { route: `GET ${P}/group_snapshots/:group_snapshot_id`, zed: READS, request: async (fx) => ({ path: await groupSnapshot(fx), headers: V320 }) },
  { route: `DELETE ${P}/group_snapshots/:group_snapshot_id`, zed: CHANGES(202), request: async (fx) => ({ path: await groupSnapshot(fx), headers: V320 }) },
  {
    route: `POST ${P}/group_snapshots/:group_snapshot_id/action`, zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await groupSnapshot(fx)}/action`, headers: V320, body: { reset_status: { status: 'error' } } }),
  },
];

export const VOLUME_POLICY_MATRIX: readonly MatrixRow<VolumeMatrixFixture>[] = [
  { route: `POST ${P}/volumes`, zed: statuses(202, 202, 202, 403), request: () => ({ path: '/volumes', body: { volume: { size: 1 } } }) },
  { route: `GET ${P}/volumes`, zed: ANYONE, request: () => ({ path: '/volumes' }) },
  { route: `GET ${P}/volumes/detail`, zed: ANYONE, request: () => ({ path: '/volumes/detail' }) },
  { route: `GET ${P}/volumes/summary`, zed: ANYONE, request: () => ({ path: '/volumes/summary', headers: V354 }) },
  { route: `GET ${P}/volumes/:volume_id`, zed: READS, request: async (fx) => ({ path: await volume(fx) }) },
  { route: `PUT ${P}/volumes/:volume_id`, zed: CHANGES(200), request: async (fx) => ({ path: await volume(fx), body: { volume: { name: 'renamed' } } }) },
  { route: `DELETE ${P}/volumes/:volume_id`, zed: CHANGES(202), request: async (fx) => ({ path: await volume(fx) }) },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-extend', zed: CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-extend': { new_size: 2 } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-set_bootable', zed: CHANGES(200),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-set_bootable': { bootable: true } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-reset_status', zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-reset_status': { status: 'error' } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-force_delete', zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-force_delete': {} } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-retype', zed: CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-retype': { new_type: await fx.type(), migration_policy: 'never' } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-update_readonly_flag', zed: CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-update_readonly_flag': { readonly: true } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-force_detach', zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-force_detach': { connector: null } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-set_image_metadata', zed: CHANGES(200),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-set_image_metadata': { metadata: { image_name: 'i' } } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-unset_image_metadata', zed: CHANGES(200),
    request: async (fx) => ({ path: `/volumes/${await fx.volumeWithImageMetadata()}/action`, body: { 'os-unset_image_metadata': { key: 'image_name' } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-volume_upload_image', zed: CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-volume_upload_image': { image_name: 'i', disk_format: 'qcow2' } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-volume_upload_image public (upload_public)', zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await volume(fx)}/action`, headers: V31, body: { 'os-volume_upload_image': { image_name: 'i', disk_format: 'qcow2', visibility: 'public' } } }),
  },
  {
    route: `POST ${P}/volumes/:volume_id/action`, case: 'os-show_image_metadata', zed: READS,
    request: async (fx) => ({ path: `${await volume(fx)}/action`, body: { 'os-show_image_metadata': null } }),
  },
  { route: `GET ${P}/volumes/:volume_id/metadata`, zed: READS, request: async (fx) => ({ path: `${await volume(fx)}/metadata` }) },
  { route: `POST ${P}/volumes/:volume_id/metadata`, zed: CHANGES(200), request: async (fx) => ({ path: `${await volume(fx)}/metadata`, body: { metadata: { c: 'd' } } }) },
  { route: `PUT ${P}/volumes/:volume_id/metadata`, zed: CHANGES(200), request: async (fx) => ({ path: `${await volume(fx)}/metadata`, body: { metadata: { c: 'd' } } }) },
  { route: `GET ${P}/volumes/:volume_id/metadata/:key`, zed: READS, request: async (fx) => ({ path: `${await volume(fx)}/metadata/a` }) },
  { route: `PUT ${P}/volumes/:volume_id/metadata/:key`, zed: CHANGES(200), request: async (fx) => ({ path: `${await volume(fx)}/metadata/a`, body: { meta: { a: 'c' } } }) },
  { route: `DELETE ${P}/volumes/:volume_id/metadata/:key`, zed: CHANGES(200), request: async (fx) => ({ path: `${await volume(fx)}/metadata/a` }) },
  // A snapshot of the owning project's volume: another project cannot find the volume.
  { route: `POST ${P}/snapshots`, zed: CHANGES(202), request: async (fx) => ({ path: '/snapshots', body: { snapshot: { volume_id: await fx.volume() } } }) },
  { route: `GET ${P}/snapshots`, zed: ANYONE, request: () => ({ path: '/snapshots' }) },
  { route: `GET ${P}/snapshots/detail`, zed: ANYONE, request: () => ({ path: '/snapshots/detail' }) },
  { route: `GET ${P}/snapshots/:snapshot_id`, zed: READS, request: async (fx) => ({ path: await snapshot(fx) }) },
  { route: `PUT ${P}/snapshots/:snapshot_id`, zed: CHANGES(200), request: async (fx) => ({ path: await snapshot(fx), body: { snapshot: { name: 'renamed' } } }) },
  { route: `DELETE ${P}/snapshots/:snapshot_id`, zed: CHANGES(202), request: async (fx) => ({ path: await snapshot(fx) }) },
  {
    route: `POST ${P}/snapshots/:snapshot_id/action`, zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await snapshot(fx)}/action`, body: { 'os-reset_status': { status: 'error' } } }),
  },
  { route: `GET ${P}/snapshots/:snapshot_id/metadata`, zed: READS, request: async (fx) => ({ path: `${await snapshot(fx)}/metadata` }) },
  { route: `POST ${P}/snapshots/:snapshot_id/metadata`, zed: CHANGES(200), request: async (fx) => ({ path: `${await snapshot(fx)}/metadata`, body: { metadata: { c: 'd' } } }) },
  { route: `PUT ${P}/snapshots/:snapshot_id/metadata`, zed: CHANGES(200), request: async (fx) => ({ path: `${await snapshot(fx)}/metadata`, body: { metadata: { c: 'd' } } }) },
  { route: `GET ${P}/snapshots/:snapshot_id/metadata/:key`, zed: READS, request: async (fx) => ({ path: `${await snapshot(fx)}/metadata/a` }) },
  { route: `PUT ${P}/snapshots/:snapshot_id/metadata/:key`, zed: CHANGES(200), request: async (fx) => ({ path: `${await snapshot(fx)}/metadata/a`, body: { meta: { a: 'e' } } }) },
  { route: `DELETE ${P}/snapshots/:snapshot_id/metadata/:key`, zed: CHANGES(200), request: async (fx) => ({ path: `${await snapshot(fx)}/metadata/a` }) },
  // A backup of the owning project's volume: another project cannot find the volume.
  { route: `POST ${P}/backups`, zed: CHANGES(202), request: async (fx) => ({ path: '/backups', body: { backup: { volume_id: await fx.volume() } } }) },
  { route: `GET ${P}/backups`, zed: ANYONE, request: () => ({ path: '/backups' }) },
  { route: `GET ${P}/backups/detail`, zed: ANYONE, request: () => ({ path: '/backups/detail' }) },
  { route: `GET ${P}/backups/:backup_id`, zed: READS, request: async (fx) => ({ path: await backup(fx) }) },
  { route: `PUT ${P}/backups/:backup_id`, zed: CHANGES(200), request: async (fx) => ({ path: await backup(fx), headers: { 'openstack-api-version': 'volume 3.9' }, body: { backup: { name: 'renamed' } } }) },
  { route: `DELETE ${P}/backups/:backup_id`, zed: CHANGES(202), request: async (fx) => ({ path: await backup(fx) }) },
  { route: `POST ${P}/backups/:backup_id/restore`, zed: CHANGES(202), request: async (fx) => ({ path: `${await backup(fx)}/restore`, body: { restore: { name: 'restored' } } }) },
  {
    route: `POST ${P}/backups/:backup_id/action`, zed: ADMIN_CHANGES(202),
    request: async (fx) => ({ path: `${await backup(fx)}/action`, body: { 'os-reset_status': { status: 'available' } } }),
  },
  { route: `GET ${P}/backups/:backup_id/export_record`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await backup(fx)}/export_record` }) },
  { route: `POST ${P}/backups/import_record`, zed: ADMIN_ONLY(201), request: () => ({ path: '/backups/import_record', body: { 'backup-record': importableRecord() } }) },
  { route: `GET ${P}/types`, zed: ANYONE, request: () => ({ path: '/types' }) },
  { route: `GET ${P}/types/default`, zed: ANYONE, request: () => ({ path: '/types/default' }) },
  { route: `GET ${P}/types/:type_id`, zed: ANYONE, request: async (fx) => ({ path: await type(fx) }) },
  { route: `POST ${P}/types`, zed: ADMIN_ONLY(200), request: () => ({ path: '/types', body: { volume_type: { name: `t-${Math.random().toString(36).slice(2)}` } } }) },
  { route: `PUT ${P}/types/:type_id`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: await type(fx), body: { volume_type: { description: 'd' } } }) },
  { route: `DELETE ${P}/types/:type_id`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: await type(fx) }) },
  { route: `GET ${P}/types/:type_id/os-volume-type-access`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/types/${await fx.privateType()}/os-volume-type-access` }) },
  {
    route: `POST ${P}/types/:type_id/action`, zed: ADMIN_ONLY(202),
    request: async (fx) => ({ path: `/types/${await fx.privateType()}/action`, body: { addProjectAccess: { project: randomUUID() } } }),
  },
  { route: `GET ${P}/types/:type_id/extra_specs`, zed: ANYONE, request: async (fx) => ({ path: `${await type(fx)}/extra_specs` }) },
  { route: `POST ${P}/types/:type_id/extra_specs`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await type(fx)}/extra_specs`, body: { extra_specs: { c: 'd' } } }) },
  { route: `GET ${P}/types/:type_id/extra_specs/:key`, zed: ANYONE, request: async (fx) => ({ path: `${await type(fx)}/extra_specs/a` }) },
  { route: `PUT ${P}/types/:type_id/extra_specs/:key`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await type(fx)}/extra_specs/a`, body: { a: 'e' } }) },
  { route: `DELETE ${P}/types/:type_id/extra_specs/:key`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `${await type(fx)}/extra_specs/a` }) },
  // quotas:show is READER on the target project; update and delete are the administrator's.
  { route: `GET ${P}/os-quota-sets/:target`, zed: statuses(200, 200, 403, 200), request: () => ({ path: '/os-quota-sets/owner-project' }) },
  { route: `GET ${P}/os-quota-sets/:target/defaults`, zed: statuses(200, 200, 403, 200), request: () => ({ path: '/os-quota-sets/owner-project/defaults' }) },
  { route: `PUT ${P}/os-quota-sets/:target`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-quota-sets/owner-project', body: { quota_set: { volumes: 1000 } } }) },
  { route: `DELETE ${P}/os-quota-sets/:target`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-quota-sets/owner-project' }) },
  { route: `GET ${P}/limits`, zed: ANYONE, request: () => ({ path: '/limits' }) },
  { route: `GET ${P}/os-services`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-services' }) },
  { route: `PUT ${P}/os-services/:action`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-services/enable', body: { host: 'test-host@file', binary: 'cinder-volume' } }) },
  { route: `GET ${P}/capabilities/:host`, zed: ADMIN_ONLY(200), request: () => ({ path: '/capabilities/test-host@file' }) },
  { route: `GET ${P}/types/:type_id/encryption`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await type(fx)}/encryption` }) },
  { route: `GET ${P}/types/:type_id/encryption/:key`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/types/${await fx.encryptedType()}/encryption/provider` }) },
  { route: `POST ${P}/types/:type_id/encryption`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `${await type(fx)}/encryption`, body: { encryption: { provider: 'p', control_location: 'front-end' } } }) },
  { route: `PUT ${P}/types/:type_id/encryption/:key`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/types/${await fx.encryptedType()}/encryption/x`, body: { encryption: { cipher: 'c' } } }) },
  { route: `DELETE ${P}/types/:type_id/encryption/:key`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/types/${await fx.encryptedType()}/encryption/x` }) },
  { route: `GET ${P}/qos-specs`, zed: ADMIN_ONLY(200), request: () => ({ path: '/qos-specs' }) },
  { route: `POST ${P}/qos-specs`, zed: ADMIN_ONLY(200), request: () => ({ path: '/qos-specs', body: { qos_specs: { name: `matrix-${randomUUID()}` } } }) },
  { route: `GET ${P}/qos-specs/:qos_id`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}` }) },
  { route: `PUT ${P}/qos-specs/:qos_id`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}`, body: { qos_specs: { c: 'd' } } }) },
  { route: `PUT ${P}/qos-specs/:qos_id/delete_keys`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}/delete_keys`, body: { keys: ['a'] } }) },
  { route: `DELETE ${P}/qos-specs/:qos_id`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}` }) },
  { route: `GET ${P}/qos-specs/:qos_id/associations`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}/associations` }) },
  { route: `GET ${P}/qos-specs/:qos_id/associate`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}/associate?vol_type_id=${await fx.type()}` }) },
  { route: `GET ${P}/qos-specs/:qos_id/disassociate`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}/disassociate?vol_type_id=${await fx.type()}` }) },
  { route: `GET ${P}/qos-specs/:qos_id/disassociate_all`, zed: ADMIN_ONLY(202), request: async (fx) => ({ path: `/qos-specs/${await fx.qosSpecs()}/disassociate_all` }) },
  { route: `GET ${P}/messages`, zed: ANYONE, request: () => ({ path: '/messages', headers: V33 }) },
  { route: `GET ${P}/messages/:message_id`, zed: READS, request: async (fx) => ({ path: `/messages/${await fx.message()}`, headers: V33 }) },
  { route: `DELETE ${P}/messages/:message_id`, zed: CHANGES(204), request: async (fx) => ({ path: `/messages/${await fx.message()}`, headers: V33 }) },
  { route: `GET ${P}/os-quota-class-sets/:class_name`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-quota-class-sets/matrix-class' }) },
  { route: `PUT ${P}/os-quota-class-sets/:class_name`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-quota-class-sets/matrix-class', body: { quota_class_set: { volumes: 7 } } }) },
  { route: `GET ${P}/extensions`, zed: ANYONE, request: () => ({ path: '/extensions' }) },
  { route: `GET ${P}/extensions/:alias`, zed: ANYONE, request: () => ({ path: '/extensions/os-quota-sets' }) },
  { route: `GET ${P}/os-hosts`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-hosts' }) },
  { route: `GET ${P}/os-hosts/:host`, zed: ADMIN_ONLY(200), request: () => ({ path: '/os-hosts/test-host@file' }) },
  { route: `GET ${P}/scheduler-stats/get_pools`, zed: ADMIN_ONLY(200), request: () => ({ path: '/scheduler-stats/get_pools?detail=true' }) },
  { route: `GET ${P}/os-availability-zone`, zed: ANYONE, request: () => ({ path: '/os-availability-zone' }) },
  {
    route: `PUT ${P}/default-types/:target_project_id`, zed: ADMIN_ONLY(200),
    request: () => ({ path: '/default-types/owner-project', headers: V362, body: { default_type: { volume_type: '__DEFAULT__' } } }),
  },
  { route: `GET ${P}/default-types/:target_project_id`, zed: ADMIN_ONLY(200), request: async (fx) => ({ path: await projectDefault(fx), headers: V362 }) },
  { route: `GET ${P}/default-types`, zed: ADMIN_ONLY(200), request: () => ({ path: '/default-types', headers: V362 }) },
  { route: `DELETE ${P}/default-types/:target_project_id`, zed: ADMIN_ONLY(204), request: async (fx) => ({ path: await projectDefault(fx), headers: V362 }) },
  {
    route: `POST ${P}/attachments`, zed: CHANGES(200),
    request: async (fx) => ({ path: '/attachments', headers: V354, body: { attachment: { volume_uuid: await fx.volume(), instance_uuid: '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b' } } }),
  },
  { route: `GET ${P}/attachments`, zed: ANYONE, request: () => ({ path: '/attachments', headers: V354 }) },
  { route: `GET ${P}/attachments/detail`, zed: ANYONE, request: () => ({ path: '/attachments/detail', headers: V354 }) },
  { route: `GET ${P}/attachments/:attachment_id`, zed: READS, request: async (fx) => ({ path: `/attachments/${await fx.attachment()}`, headers: V354 }) },
  {
    route: `PUT ${P}/attachments/:attachment_id`, zed: CHANGES(200),
    request: async (fx) => ({ path: `/attachments/${await fx.attachment()}`, headers: V354, body: { attachment: { connector: CONNECTOR } } }),
  },
  { route: `DELETE ${P}/attachments/:attachment_id`, zed: CHANGES(200), request: async (fx) => ({ path: `/attachments/${await fx.attachment()}`, headers: V354 }) },
  {
    route: `POST ${P}/attachments/:attachment_id/action`, zed: CHANGES(204),
    request: async (fx) => ({ path: `/attachments/${await fx.attachment()}/action`, headers: V354, body: { 'os-complete': null } }),
  },
  ...(['os-volume-transfer', 'volume-transfers'] as const).flatMap((collection): MatrixRow<VolumeMatrixFixture>[] => {
    const headers = collection === 'volume-transfers' ? V355 : {};
    return [
      {
        route: `POST ${P}/${collection}`, zed: CHANGES(202),
        request: async (fx) => ({ path: `/${collection}`, headers, body: { transfer: { volume_id: await fx.volume() } } }),
      },
      { route: `GET ${P}/${collection}`, zed: ANYONE, request: () => ({ path: `/${collection}`, headers }) },
      { route: `GET ${P}/${collection}/detail`, zed: ANYONE, request: () => ({ path: `/${collection}/detail`, headers }) },
      { route: `GET ${P}/${collection}/:transfer_id`, zed: READS, request: async (fx) => ({ path: `/${collection}/${(await fx.transfer()).id}`, headers }) },
      { route: `DELETE ${P}/${collection}/:transfer_id`, zed: CHANGES(202), request: async (fx) => ({ path: `/${collection}/${(await fx.transfer()).id}`, headers }) },
      // Whoever holds the key may accept, into their own project; a reader may not.
      {
        route: `POST ${P}/${collection}/:transfer_id/accept`, zed: statuses(202, 202, 202, 403),
        request: async (fx) => {
          const { id, authKey } = await fx.transfer();
          return { path: `/${collection}/${id}/accept`, headers, body: { accept: { auth_key: authKey } } };
        },
      },
    ];
  }),
  ...GROUP_ROWS,
];
