/** Cinder's views of volumes, snapshots and types (cinder/api/v2/views, v3/views), as 3.0 shows them. */
import type { VolumeAttachmentRecord } from '../../volumes/attachment.js';
import type { Snapshot, Volume, VolumeType } from '../../volumes/volume.js';
import type { VolumeViewFields } from '../microversions.js';

/** Cinder prints times as `2026-12-04T10:00:00.000000` (no zone). */
export function cinderTime(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}

/** What the caller sees of a volume; create and update answers carry no extension attributes (Cinder extends only show and detail). */
export interface VolumeViewer {
  readonly base: string;
  readonly showTenant: boolean;
  readonly showHost: boolean;
  readonly showImageMetadata: boolean;
  /** What the negotiated microversion adds to the view. */
  readonly fields: VolumeViewFields;
  readonly isAdmin: boolean;
}

/** A volume's attachments as its view lists them: only those attached (cinder/api/v2/views/volumes.py). */
function renderVolumeAttachments(attachments: readonly VolumeAttachmentRecord[]): Record<string, unknown>[] {
  return attachments
    .filter((attachment) => attachment.status === 'attached')
    .map((attachment) => ({
      id: attachment.volumeId,
      attachment_id: attachment.id,
      volume_id: attachment.volumeId,
      server_id: attachment.instanceUuid,
      host_name: attachment.attachedHost,
      device: attachment.mountpoint,
      attached_at: cinderTime(attachment.attachTime),
    }));
}

/** An attachment (cinder/api/v3/views/attachments.py): the summary, and the detail with times, mode and connection. */
export function renderAttachment(attachment: VolumeAttachmentRecord, detail: boolean): Record<string, unknown> {
  return {
    id: attachment.id,
    status: attachment.status,
    instance: attachment.instanceUuid,
    volume_id: attachment.volumeId,
    ...(detail
      ? {
          attached_at: cinderTime(attachment.attachTime) ?? '',
          detached_at: '',
          attach_mode: attachment.attachMode,
          connection_info: attachment.connectionInfo ?? {},
        }
      : {}),
  };
}

/** A resource's self and bookmark links. */
export function links(base: string, project: string, kind: string, id: string): { href: string; rel: string }[] {
  return [
    { href: `${base}/volume/v3/${project}/${kind}/${id}`, rel: 'self' },
    { href: `${base}/volume/${project}/${kind}/${id}`, rel: 'bookmark' },
  ];
}

const VISIBLE_ADMIN_METADATA = ['readonly', 'attached_mode'];

function visibleAdminMetadata(volume: Volume): Record<string, string> {
  return Object.fromEntries(Object.entries(volume.adminMetadata).filter(([key]) => VISIBLE_ADMIN_METADATA.includes(key)));
}

export function renderVolumeSummary(volume: Volume, viewer: VolumeViewer): Record<string, unknown> {
  return { id: volume.id, name: volume.name, links: links(viewer.base, volume.projectId, 'volumes', volume.id) };
}

export function renderVolume(volume: Volume, typeName: string, viewer: VolumeViewer, attachments: readonly VolumeAttachmentRecord[] = []): Record<string, unknown> {
  const { fields } = viewer;
  return {
    id: volume.id,
    name: volume.name,
    status: volume.status,
    size: volume.size,
    availability_zone: volume.availabilityZone,
    created_at: cinderTime(volume.createdAt),
    updated_at: cinderTime(volume.updatedAt),
    attachments: renderVolumeAttachments(attachments),
    description: volume.description,
    volume_type: typeName,
    snapshot_id: volume.snapshotId,
    source_volid: volume.sourceVolid,
    // Cinder's add_visible_admin_metadata: readonly and attached_mode show among the metadata.
    metadata: { ...volume.metadata, ...visibleAdminMetadata(volume) },
    links: links(viewer.base, volume.projectId, 'volumes', volume.id),
    user_id: volume.userId,
    bootable: String(volume.bootable),
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: volume.multiattach,
    ...(viewer.showTenant ? { 'os-vol-tenant-attr:tenant_id': volume.projectId } : {}),
    ...(viewer.showHost ? { 'os-vol-host-attr:host': volume.host, 'os-vol-mig-status-attr:migstat': null, 'os-vol-mig-status-attr:name_id': null } : {}),
    // Cinder shows an administrator the migration status (none: no migration is offered).
    ...(viewer.isAdmin ? { migration_status: null } : {}),
    ...(viewer.showImageMetadata && volume.imageMetadata !== null ? { volume_image_metadata: volume.imageMetadata } : {}),
    ...(fields.groupId ? { group_id: volume.groupId } : {}),
    ...(fields.providerId && viewer.isAdmin ? { provider_id: null } : {}),
    // Each attachment has its own file path: nothing is shared between hosts' connections.
    ...(fields.sharedTargets ? { shared_targets: false, service_uuid: null } : {}),
    // No clusters (Active/Active HA) here, no encryption, and every volume counts against the quota.
    ...(fields.clusterName && viewer.isAdmin ? { cluster_name: null } : {}),
    ...(fields.volumeTypeId ? { volume_type_id: volume.volumeTypeId } : {}),
    ...(fields.encryptionKeyId ? { encryption_key_id: null } : {}),
    ...(fields.consumesQuota ? { consumes_quota: true } : {}),
  };
}

/** `consumesQuota`: 3.65's field (every snapshot here counts against the quota). */
export function renderSnapshot(snapshot: Snapshot, extended: boolean, consumesQuota = false): Record<string, unknown> {
  return {
    id: snapshot.id,
    created_at: cinderTime(snapshot.createdAt),
    updated_at: cinderTime(snapshot.updatedAt),
    name: snapshot.name,
    description: snapshot.description,
    volume_id: snapshot.volumeId,
    status: snapshot.status,
    size: snapshot.size,
    metadata: snapshot.metadata,
    ...(extended ? { 'os-extended-snapshot-attributes:progress': snapshot.progress, 'os-extended-snapshot-attributes:project_id': snapshot.projectId } : {}),
    ...(consumesQuota ? { consumes_quota: true } : {}),
  };
}

/**
 * A volume type as each answer shows it: show and list add the access extension's
 * `os-volume-type-access:is_public` and, by policy, extra specs and the QoS id; create has the
 * access flag but no QoS id; update neither (Cinder's extensions decorate only some actions).
 */
export function renderType(type: VolumeType, kind: 'show' | 'create' | 'update', options: { readonly extraSpecs: boolean; readonly qosSpecsId?: string | null }): Record<string, unknown> {
  return {
    id: type.id,
    name: type.name,
    description: type.description,
    is_public: type.isPublic,
    ...(kind === 'update' ? {} : { 'os-volume-type-access:is_public': type.isPublic }),
    ...(options.extraSpecs || kind !== 'show' ? { extra_specs: type.extraSpecs } : {}),
    ...(options.qosSpecsId !== undefined && kind === 'show' ? { qos_specs_id: options.qosSpecsId } : {}),
  };
}
