/**
 * Cinder's exported backup record (Backup.encode_record / decode_record): the backup's row under
 * Cinder's field names, as base64 JSON, so an administrator can put a backup's record back after
 * losing the database (or import it under another id). Decoding checks every field it takes.
 */
import type { Backup } from './backup.js';
import { invalidInput } from './volume-errors.js';

/** The fields an imported record gives the new backup (its project and user are the importer's). */
export type ImportedBackupFields = Pick<
  Backup,
  'id' | 'volumeId' | 'snapshotId' | 'parentId' | 'name' | 'description' | 'size' | 'availabilityZone' | 'container' | 'host' | 'objectCount' | 'dataTimestamp'
>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeBackupRecord(backup: Backup): string {
  const record = {
    id: backup.id,
    user_id: backup.userId,
    project_id: backup.projectId,
    volume_id: backup.volumeId,
    snapshot_id: backup.snapshotId,
    parent_id: backup.parentId,
    display_name: backup.name,
    display_description: backup.description,
    size: backup.size,
    status: backup.status,
    availability_zone: backup.availabilityZone,
    container: backup.container,
    host: backup.host,
    service: backup.service,
    object_count: backup.objectCount,
    data_timestamp: backup.dataTimestamp.toISOString(),
    created_at: backup.createdAt.toISOString(),
  };
  return Buffer.from(JSON.stringify(record), 'utf8').toString('base64');
}

/** Cinder's InvalidInput "Can't parse backup record." for anything that is not a whole record. */
export function decodeBackupRecord(backupUrl: string): ImportedBackupFields {
  const unparsable = () => invalidInput("Can't parse backup record.");
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(backupUrl, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unparsable();
    record = parsed as Record<string, unknown>;
  } catch {
    throw unparsable();
  }
  const text = (key: string): string => {
    const value = record[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > 255) throw unparsable();
    return value;
  };
  const optionalText = (key: string): string | null => (record[key] === undefined || record[key] === null ? null : text(key));
  const uuid = (key: string): string => {
    const value = text(key);
    if (!UUID.test(value)) throw unparsable();
    return value;
  };
  const optionalUuid = (key: string): string | null => (record[key] === undefined || record[key] === null ? null : uuid(key));
  const count = (key: string): number => {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw unparsable();
    return value;
  };
  const dataTimestamp = new Date(text('data_timestamp'));
  if (Number.isNaN(dataTimestamp.getTime())) throw unparsable();
  return {
    id: uuid('id'),
    volumeId: uuid('volume_id'),
    snapshotId: optionalUuid('snapshot_id'),
    parentId: optionalUuid('parent_id'),
    name: optionalText('display_name'),
    description: optionalText('display_description'),
    size: count('size'),
    availabilityZone: text('availability_zone'),
    container: text('container'),
    host: text('host'),
    objectCount: count('object_count'),
    dataTimestamp,
  };
}
