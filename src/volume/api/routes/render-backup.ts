/** Cinder's views of backups (cinder/api/views/backups.py) as 3.0 shows them. */
import type { BackupView } from '../../volumes/backup.js';
import { cinderTime } from './render.js';

function links(base: string, project: string, id: string): { href: string; rel: string }[] {
  return [
    { href: `${base}/volume/v3/${project}/backups/${id}`, rel: 'self' },
    { href: `${base}/volume/${project}/backups/${id}`, rel: 'bookmark' },
  ];
}

/** The summary (list, and the answer to a create). */
export function renderBackupSummary(backup: Pick<BackupView, 'id' | 'name' | 'projectId'>, base: string): Record<string, unknown> {
  return { id: backup.id, name: backup.name, links: links(base, backup.projectId, backup.id) };
}

export function renderBackup(backup: BackupView, base: string, fields: { readonly userId: boolean; readonly encryptionKeyId: boolean }): Record<string, unknown> {
  return {
    id: backup.id,
    status: backup.status,
    size: backup.size,
    object_count: backup.objectCount,
    availability_zone: backup.availabilityZone,
    container: backup.container,
    created_at: cinderTime(backup.createdAt),
    updated_at: cinderTime(backup.updatedAt),
    name: backup.name,
    description: backup.description,
    fail_reason: backup.failReason,
    volume_id: backup.volumeId,
    links: links(base, backup.projectId, backup.id),
    is_incremental: backup.parentId !== null,
    has_dependent_backups: backup.hasDependentBackups,
    snapshot_id: backup.snapshotId,
    data_timestamp: cinderTime(backup.dataTimestamp),
    ...(fields.userId ? { user_id: backup.userId } : {}),
    // No volume here is encrypted.
    ...(fields.encryptionKeyId ? { encryption_key_id: null } : {}),
  };
}
