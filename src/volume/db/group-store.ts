/** The one door to volume_group_types, volume_groups and volume_group_snapshots. */
import type { Selectable, Updateable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { Group, GroupSnapshot, GroupSnapshotStatus, GroupStatus, GroupType } from '../volumes/group.js';
import type { VolumeGroupSnapshotsTable, VolumeGroupsTable, VolumeGroupTypesTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

const date = (text: string | null): Date | null => (text === null ? null : fromDbTimestamp(text));

function toGroupType(row: Selectable<VolumeGroupTypesTable>): GroupType {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isPublic: Boolean(row.is_public),
    groupSpecs: JSON.parse(row.group_specs) as Record<string, string>,
    createdAt: fromDbTimestamp(row.created_at),
  };
}

function toGroup(row: Selectable<VolumeGroupsTable>): Group {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    status: row.status as GroupStatus,
    availabilityZone: row.availability_zone,
    groupTypeId: row.group_type_id,
    volumeTypeIds: JSON.parse(row.volume_type_ids) as string[],
    groupSnapshotId: row.group_snapshot_id,
    sourceGroupId: row.source_group_id,
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toGroupSnapshot(row: Selectable<VolumeGroupSnapshotsTable>): GroupSnapshot {
  return {
    id: row.id,
    groupId: row.group_id,
    projectId: row.project_id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    status: row.status as GroupSnapshotStatus,
    groupTypeId: row.group_type_id,
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** Group type list order: Cinder's sort keys on the type's columns. */
export const GROUP_TYPE_SORT_KEYS = ['id', 'name', 'description', 'is_public', 'created_at'] as const;
export type GroupTypeSortKey = (typeof GROUP_TYPE_SORT_KEYS)[number];

export interface GroupTypeChanges {
  readonly name?: string;
  readonly description?: string | null;
  readonly isPublic?: boolean;
  readonly groupSpecs?: Readonly<Record<string, string>>;
}

export class GroupStore extends VolumeTableStore {
  // --- group types

  async insertGroupType(type: GroupType): Promise<void> {
    await this.db
      .insertInto('volume_group_types')
      .values({
        id: type.id,
        name: type.name,
        description: type.description,
        is_public: type.isPublic,
        group_specs: JSON.stringify(type.groupSpecs),
        created_at: toDbTimestamp(type.createdAt),
        updated_at: null,
      })
      .execute();
  }

  async findGroupType(key: { readonly id: string } | { readonly name: string }): Promise<GroupType | undefined> {
    const query = this.db.selectFrom('volume_group_types').selectAll();
    const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
    return row === undefined ? undefined : toGroupType(row);
  }

  /** `isPublic` undefined: public and private alike. */
  async listGroupTypes(isPublic: boolean | undefined, sort: readonly { readonly key: GroupTypeSortKey; readonly direction: 'asc' | 'desc' }[]): Promise<GroupType[]> {
    let query = this.db.selectFrom('volume_group_types').selectAll();
    if (isPublic !== undefined) query = query.where('is_public', '=', isPublic);
    for (const { key, direction } of sort) query = query.orderBy(key, direction);
    if (!sort.some(({ key }) => key === 'id')) query = query.orderBy('id', sort[0]?.direction ?? 'desc');
    return (await query.execute()).map(toGroupType);
  }

  async updateGroupType(id: string, changes: GroupTypeChanges): Promise<void> {
    const set: Updateable<VolumeGroupTypesTable> = { updated_at: toDbTimestamp(this.now()) };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.isPublic !== undefined) set.is_public = changes.isPublic;
    if (changes.groupSpecs !== undefined) set.group_specs = JSON.stringify(changes.groupSpecs);
    await this.db.updateTable('volume_group_types').set(set).where('id', '=', id).execute();
  }

  async deleteGroupType(id: string): Promise<void> {
    await this.db.deleteFrom('volume_group_types').where('id', '=', id).execute();
  }

  async countGroupsOfType(groupTypeId: string): Promise<number> {
    const row = await this.db.selectFrom('volume_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('group_type_id', '=', groupTypeId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // --- groups

  async insertGroup(group: Group): Promise<void> {
    await this.db
      .insertInto('volume_groups')
      .values({
        id: group.id,
        project_id: group.projectId,
        user_id: group.userId,
        name: group.name,
        description: group.description,
        status: group.status,
        availability_zone: group.availabilityZone,
        group_type_id: group.groupTypeId,
        volume_type_ids: JSON.stringify(group.volumeTypeIds),
        group_snapshot_id: group.groupSnapshotId,
        source_group_id: group.sourceGroupId,
        created_at: toDbTimestamp(group.createdAt),
        updated_at: group.updatedAt === null ? null : toDbTimestamp(group.updatedAt),
      })
      .execute();
  }

  async findGroup(id: string): Promise<Group | undefined> {
    const row = await this.db.selectFrom('volume_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toGroup(row);
  }

  /** A project's groups (every project's when absent), newest first as Cinder lists them. */
  async listGroups(projectId: string | undefined): Promise<Group[]> {
    let query = this.db.selectFrom('volume_groups').selectAll();
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toGroup);
  }

  /** Compare-and-set on the group's status when `expected` is given; false when it did not match. */
  async updateGroup(id: string, changes: { readonly name?: string | null; readonly description?: string | null; readonly status?: GroupStatus }, expected?: readonly GroupStatus[]): Promise<boolean> {
    const set: Updateable<VolumeGroupsTable> = { updated_at: toDbTimestamp(this.now()) };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.status !== undefined) set.status = changes.status;
    let query = this.db.updateTable('volume_groups').set(set).where('id', '=', id);
    if (expected !== undefined) query = query.where('status', 'in', expected);
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  /** The project's groups, for its `groups` quota. */
  async countGroupsOf(projectId: string): Promise<number> {
    const row = await this.db.selectFrom('volume_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deleteGroup(id: string): Promise<void> {
    await this.db.deleteFrom('volume_groups').where('id', '=', id).execute();
  }

  // --- group snapshots

  async insertGroupSnapshot(snapshot: GroupSnapshot): Promise<void> {
    await this.db
      .insertInto('volume_group_snapshots')
      .values({
        id: snapshot.id,
        group_id: snapshot.groupId,
        project_id: snapshot.projectId,
        user_id: snapshot.userId,
        name: snapshot.name,
        description: snapshot.description,
        status: snapshot.status,
        group_type_id: snapshot.groupTypeId,
        created_at: toDbTimestamp(snapshot.createdAt),
        updated_at: snapshot.updatedAt === null ? null : toDbTimestamp(snapshot.updatedAt),
      })
      .execute();
  }

  async findGroupSnapshot(id: string): Promise<GroupSnapshot | undefined> {
    const row = await this.db.selectFrom('volume_group_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toGroupSnapshot(row);
  }

  /** A project's group snapshots (every project's when absent), or a group's; newest first. */
  async listGroupSnapshots(filter: { readonly projectId?: string; readonly groupId?: string }): Promise<GroupSnapshot[]> {
    let query = this.db.selectFrom('volume_group_snapshots').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
    return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toGroupSnapshot);
  }

  async updateGroupSnapshot(id: string, status: GroupSnapshotStatus, expected?: readonly GroupSnapshotStatus[]): Promise<boolean> {
    let query = this.db.updateTable('volume_group_snapshots').set({ status, updated_at: toDbTimestamp(this.now()) }).where('id', '=', id);
    if (expected !== undefined) query = query.where('status', 'in', expected);
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  async deleteGroupSnapshot(id: string): Promise<void> {
    await this.db.deleteFrom('volume_group_snapshots').where('id', '=', id).execute();
  }
}
