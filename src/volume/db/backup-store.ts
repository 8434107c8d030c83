/**
 * The one door to volume_backups: every SQL statement on backups lives here. Status changes are
 * compare-and-set on the expected statuses, as the volume store's are.
 */
import type { Selectable, Updateable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { Backup, BackupStatus, BackupView } from '../volumes/backup.js';
import type { SortSpec } from './volume-store.js';
import type { BackupsTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

/** Columns a backup list may sort by (Cinder's backup sort keys). */
export const BACKUP_SORT_KEYS = ['created_at', 'updated_at', 'id', 'name', 'size', 'status', 'volume_id', 'project_id', 'data_timestamp'] as const;
export type BackupSortKey = (typeof BACKUP_SORT_KEYS)[number];

export interface BackupFilter {
  readonly projectId?: string;
  readonly name?: string;
  readonly status?: string;
  readonly volumeId?: string;
}

export interface BackupChanges {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly status?: BackupStatus;
  readonly failReason?: string | null;
  readonly container?: string | null;
  readonly service?: string | null;
  readonly objectCount?: number;
  readonly restoreVolumeId?: string | null;
}

/** Backups and their gigabytes, as Cinder's backup quotas count them. */
export interface BackupUsage {
  readonly backups: number;
  readonly gigabytes: number;
}

function toBackup(row: Selectable<BackupsTable>): Backup {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    volumeId: row.volume_id,
    snapshotId: row.snapshot_id,
    parentId: row.parent_id,
    name: row.name,
    description: row.description,
    size: Number(row.size),
    status: row.status as BackupStatus,
    failReason: row.fail_reason,
    availabilityZone: row.availability_zone,
    container: row.container,
    host: row.host,
    service: row.service,
    objectCount: Number(row.object_count),
    restoreVolumeId: row.restore_volume_id,
    dataTimestamp: fromDbTimestamp(row.data_timestamp),
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: row.updated_at === null ? null : fromDbTimestamp(row.updated_at),
  };
}

export class BackupStore extends VolumeTableStore {
  async insertBackup(backup: Backup): Promise<void> {
    await this.db
      .insertInto('volume_backups')
      .values({
        id: backup.id,
        project_id: backup.projectId,
        user_id: backup.userId,
        volume_id: backup.volumeId,
        snapshot_id: backup.snapshotId,
        parent_id: backup.parentId,
        name: backup.name,
        description: backup.description,
        size: backup.size,
        status: backup.status,
        fail_reason: backup.failReason,
        availability_zone: backup.availabilityZone,
        container: backup.container,
        host: backup.host,
        service: backup.service,
        object_count: backup.objectCount,
        restore_volume_id: backup.restoreVolumeId,
        data_timestamp: toDbTimestamp(backup.dataTimestamp),
        created_at: toDbTimestamp(backup.createdAt),
        updated_at: backup.updatedAt === null ? null : toDbTimestamp(backup.updatedAt),
      })
      .execute();
  }

  async findBackup(id: string): Promise<Backup | undefined> {
    const row = await this.db.selectFrom('volume_backups').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toBackup(row);
  }

  /** The backup with whether an incremental builds on it. */
  async findBackupView(id: string): Promise<BackupView | undefined> {
    const backup = await this.findBackup(id);
    return backup === undefined ? undefined : { ...backup, hasDependentBackups: (await this.countDependents(id)) > 0 };
  }

  /** Every backup the filter matches, in the requested order (ties broken by id). */
  async listBackups(filter: BackupFilter, sort: readonly SortSpec<BackupSortKey>[]): Promise<BackupView[]> {
    let query = this.db.selectFrom('volume_backups').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.volumeId !== undefined) query = query.where('volume_id', '=', filter.volumeId);
    for (const { key, direction } of sort) query = query.orderBy(key, direction);
    if (!sort.some(({ key }) => key === 'id')) query = query.orderBy('id', sort[0]?.direction ?? 'desc');
    const backups = (await query.execute()).map(toBackup);
    const parents = new Set(
      (await this.db.selectFrom('volume_backups').select('parent_id').where('parent_id', 'is not', null).execute()).map((row) => row.parent_id),
    );
    return backups.map((backup) => ({ ...backup, hasDependentBackups: parents.has(backup.id) }));
  }

  /** The volume's newest available backup by the moment of its data (an incremental's parent). */
  async latestAvailableBackupOf(volumeId: string): Promise<Backup | undefined> {
    const row = await this.db
      .selectFrom('volume_backups')
      .selectAll()
      .where('volume_id', '=', volumeId)
      .where('status', '=', 'available')
      .orderBy('data_timestamp', 'desc')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : toBackup(row);
  }

  async countDependents(id: string): Promise<number> {
    const row = await this.db.selectFrom('volume_backups').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', id).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Applies `changes` when the backup is in one of `expected` statuses (any when absent); false when it is not or is gone. */
  async updateBackup(id: string, changes: BackupChanges, expected?: readonly BackupStatus[]): Promise<boolean> {
    const set: Updateable<BackupsTable> = { updated_at: toDbTimestamp(this.now()) };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.status !== undefined) set.status = changes.status;
    if (changes.failReason !== undefined) set.fail_reason = changes.failReason;
    if (changes.container !== undefined) set.container = changes.container;
    if (changes.service !== undefined) set.service = changes.service;
    if (changes.objectCount !== undefined) set.object_count = changes.objectCount;
    if (changes.restoreVolumeId !== undefined) set.restore_volume_id = changes.restoreVolumeId;
    let query = this.db.updateTable('volume_backups').set(set).where('id', '=', id);
    if (expected !== undefined) query = query.where('status', 'in', expected);
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  async deleteBackup(id: string): Promise<void> {
    await this.db.deleteFrom('volume_backups').where('id', '=', id).execute();
  }

  async usageOf(projectId: string): Promise<BackupUsage> {
    const row = await this.db
      .selectFrom('volume_backups')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('gb')])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return { backups: Number(row?.n ?? 0), gigabytes: Number(row?.gb ?? 0) };
  }
}
