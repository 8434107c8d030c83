/**
 * The SQL of volume attachments (volume_attachments): inserts, reads, compare-and-set status
 * changes and removal. The volume's own status changes stay in volume-store.ts.
 */
import type { Selectable, Updateable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { AttachmentStatus, AttachMode, ConnectionInfo, VolumeAttachmentRecord, VolumeConnector } from '../volumes/attachment.js';
import type { VolumeAttachmentsTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

export interface AttachmentFilter {
  readonly projectId?: string;
  readonly volumeId?: string;
  readonly instanceUuid?: string;
  readonly status?: string;
}

export interface AttachmentChanges {
  readonly status?: AttachmentStatus;
  readonly attachMode?: AttachMode;
  readonly instanceUuid?: string | null;
  readonly attachedHost?: string | null;
  readonly mountpoint?: string | null;
  readonly connector?: VolumeConnector | null;
  readonly connectionInfo?: ConnectionInfo | null;
  readonly attachTime?: Date | null;
}

function toAttachment(row: Selectable<VolumeAttachmentsTable>): VolumeAttachmentRecord {
  return {
    id: row.id,
    volumeId: row.volume_id,
    projectId: row.project_id,
    instanceUuid: row.instance_uuid,
    attachedHost: row.attached_host,
    mountpoint: row.mountpoint,
    status: row.attach_status as AttachmentStatus,
    attachMode: row.attach_mode as AttachMode,
    connector: row.connector === null ? null : (JSON.parse(row.connector) as VolumeConnector),
    connectionInfo: row.connection_info === null ? null : (JSON.parse(row.connection_info) as ConnectionInfo),
    attachTime: row.attach_time === null ? null : fromDbTimestamp(row.attach_time),
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: row.updated_at === null ? null : fromDbTimestamp(row.updated_at),
  };
}

function columns(changes: AttachmentChanges, now: Date): Updateable<VolumeAttachmentsTable> {
  const set: Updateable<VolumeAttachmentsTable> = { updated_at: toDbTimestamp(now) };
  if (changes.status !== undefined) set.attach_status = changes.status;
  if (changes.attachMode !== undefined) set.attach_mode = changes.attachMode;
  if (changes.instanceUuid !== undefined) set.instance_uuid = changes.instanceUuid;
  if (changes.attachedHost !== undefined) set.attached_host = changes.attachedHost;
  if (changes.mountpoint !== undefined) set.mountpoint = changes.mountpoint;
  if (changes.connector !== undefined) set.connector = changes.connector === null ? null : JSON.stringify(changes.connector);
  if (changes.connectionInfo !== undefined) set.connection_info = changes.connectionInfo === null ? null : JSON.stringify(changes.connectionInfo);
  if (changes.attachTime !== undefined) set.attach_time = changes.attachTime === null ? null : toDbTimestamp(changes.attachTime);
  return set;
}

export class AttachmentStore extends VolumeTableStore {
  async insert(attachment: VolumeAttachmentRecord): Promise<void> {
    await this.db
      .insertInto('volume_attachments')
      .values({
        id: attachment.id,
        volume_id: attachment.volumeId,
        project_id: attachment.projectId,
        instance_uuid: attachment.instanceUuid,
        attached_host: attachment.attachedHost,
        mountpoint: attachment.mountpoint,
        attach_status: attachment.status,
        attach_mode: attachment.attachMode,
        connector: attachment.connector === null ? null : JSON.stringify(attachment.connector),
        connection_info: attachment.connectionInfo === null ? null : JSON.stringify(attachment.connectionInfo),
        attach_time: attachment.attachTime === null ? null : toDbTimestamp(attachment.attachTime),
        created_at: toDbTimestamp(attachment.createdAt),
        updated_at: null,
      })
      .execute();
  }

  async find(id: string): Promise<VolumeAttachmentRecord | undefined> {
    const row = await this.db.selectFrom('volume_attachments').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toAttachment(row);
  }

  /** Oldest first, as Cinder lists a volume's attachments. */
  async list(filter: AttachmentFilter): Promise<VolumeAttachmentRecord[]> {
    let query = this.db.selectFrom('volume_attachments').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.volumeId !== undefined) query = query.where('volume_id', '=', filter.volumeId);
    if (filter.instanceUuid !== undefined) query = query.where('instance_uuid', '=', filter.instanceUuid);
    if (filter.status !== undefined) query = query.where('attach_status', '=', filter.status);
    return (await query.orderBy('created_at').orderBy('id').execute()).map(toAttachment);
  }

  /** The attachments of several volumes at once, for volume views. */
  async ofVolumes(volumeIds: readonly string[]): Promise<Map<string, VolumeAttachmentRecord[]>> {
    const byVolume = new Map<string, VolumeAttachmentRecord[]>();
    if (volumeIds.length === 0) return byVolume;
    const rows = await this.db.selectFrom('volume_attachments').selectAll().where('volume_id', 'in', volumeIds).orderBy('created_at').orderBy('id').execute();
    for (const row of rows) byVolume.set(row.volume_id, [...(byVolume.get(row.volume_id) ?? []), toAttachment(row)]);
    return byVolume;
  }

  /** Applies `changes` when the attachment is in one of `expected` (any when absent); false otherwise. */
  async update(id: string, changes: AttachmentChanges, expected?: readonly AttachmentStatus[]): Promise<boolean> {
    let query = this.db.updateTable('volume_attachments').set(columns(changes, this.now())).where('id', '=', id);
    if (expected !== undefined) query = query.where('attach_status', 'in', expected);
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('volume_attachments').where('id', '=', id).execute();
  }
}
