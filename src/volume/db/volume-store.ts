/**
 * The volume service's one door to its tables: every SQL statement on volume_* lives here. Status
 * changes are compare-and-set on the expected status, so of two concurrent actions one wins.
 */
import { sql, type Selectable, type Updateable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { AttachStatus, Snapshot, SnapshotStatus, Volume, VolumeStatus, VolumeType } from '../volumes/volume.js';
import type { SnapshotsTable, VolumesTable, VolumeTypesTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

/** Columns a list may sort by (Cinder's sort keys, API names). */
export const VOLUME_SORT_KEYS = ['created_at', 'updated_at', 'id', 'name', 'size', 'status', 'availability_zone', 'bootable', 'project_id'] as const;
export type VolumeSortKey = (typeof VOLUME_SORT_KEYS)[number];
export const SNAPSHOT_SORT_KEYS = ['created_at', 'updated_at', 'id', 'name', 'size', 'status', 'volume_id', 'project_id'] as const;
export type SnapshotSortKey = (typeof SNAPSHOT_SORT_KEYS)[number];
export interface SortSpec<K extends string> {
  readonly key: K;
  readonly direction: 'asc' | 'desc';
}

export interface VolumeFilter {
  /** Only this project's volumes; every project's when absent. */
  readonly projectId?: string;
  readonly name?: string;
  readonly status?: string;
  readonly availabilityZone?: string;
  readonly bootable?: boolean;
  readonly volumeTypeId?: string;
  readonly groupId?: string;
}

export interface SnapshotFilter {
  readonly projectId?: string;
  readonly volumeId?: string;
  readonly groupSnapshotId?: string;
  readonly name?: string;
  readonly status?: string;
}

/** A volume's fields as they change after creation. */
export interface VolumeChanges {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly size?: number;
  readonly status?: VolumeStatus;
  readonly attachStatus?: AttachStatus;
  readonly host?: string | null;
  readonly bootable?: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly imageMetadata?: Readonly<Record<string, string>> | null;
  readonly adminMetadata?: Readonly<Record<string, string>>;
  readonly volumeTypeId?: string;
  readonly groupId?: string | null;
  readonly errorReason?: string | null;
  readonly launchedAt?: Date;
  /** The gigabytes an extend reserves, counted while the volume is `extending`. */
  readonly extendingGb?: number;
  /** The type a retype reserves, whose resources count the volume while it is `retyping`. */
  readonly retypingTypeId?: string;
}

export interface SnapshotChanges {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly status?: SnapshotStatus;
  readonly progress?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What a project holds, as Cinder's quotas count it (gigabytes: volumes and snapshots). */
export interface VolumeUsage {
  readonly volumes: number;
  readonly snapshots: number;
  readonly gigabytes: number;
}

/**
 * What a project uses (Cinder's quota usage `in_use`) and what its extends and retypes in
 * progress hold beside it (`reserved`, given back or turned into use when they end).
 */
export interface HeldUsage {
  readonly inUse: VolumeUsage;
  readonly reserved: VolumeUsage;
}

const NO_USAGE: VolumeUsage = { volumes: 0, snapshots: 0, gigabytes: 0 };

/** The gigabytes a volume's extend in progress holds: its reservation counts only while it is extending. */
const EXTENDING_GB = sql<number>`case when status = 'extending' then extending_gb else 0 end`;

const json = (text: string | null): Record<string, string> | null => (text === null ? null : (JSON.parse(text) as Record<string, string>));
const date = (text: string | null): Date | null => (text === null ? null : fromDbTimestamp(text));

function toVolume(row: Selectable<VolumesTable>): Volume {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    size: Number(row.size),
    status: row.status as VolumeStatus,
    attachStatus: row.attach_status as AttachStatus,
    host: row.host,
    availabilityZone: row.availability_zone,
    volumeTypeId: row.volume_type_id,
    bootable: Boolean(row.bootable),
    multiattach: Boolean(row.multiattach),
    snapshotId: row.snapshot_id,
    sourceVolid: row.source_volid,
    metadata: json(row.metadata) ?? {},
    imageMetadata: json(row.image_metadata),
    adminMetadata: json(row.admin_metadata) ?? {},
    groupId: row.group_id,
    errorReason: row.error_reason,
    launchedAt: date(row.launched_at),
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toSnapshot(row: Selectable<SnapshotsTable>): Snapshot {
  return {
    id: row.id,
    volumeId: row.volume_id,
    projectId: row.project_id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    size: Number(row.size),
    status: row.status as SnapshotStatus,
    progress: row.progress,
    metadata: json(row.metadata) ?? {},
    groupSnapshotId: row.group_snapshot_id,
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toType(row: Selectable<VolumeTypesTable>): VolumeType {
  return { id: row.id, name: row.name, description: row.description, isPublic: Boolean(row.is_public), extraSpecs: json(row.extra_specs) ?? {} };
}

function volumeColumns(changes: VolumeChanges, now: Date): Updateable<VolumesTable> {
  const set: Updateable<VolumesTable> = { updated_at: toDbTimestamp(now) };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.size !== undefined) set.size = changes.size;
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.attachStatus !== undefined) set.attach_status = changes.attachStatus;
  if (changes.host !== undefined) set.host = changes.host;
  if (changes.bootable !== undefined) set.bootable = changes.bootable;
  if (changes.metadata !== undefined) set.metadata = JSON.stringify(changes.metadata);
  if (changes.imageMetadata !== undefined) set.image_metadata = changes.imageMetadata === null ? null : JSON.stringify(changes.imageMetadata);
  if (changes.adminMetadata !== undefined) set.admin_metadata = JSON.stringify(changes.adminMetadata);
  if (changes.volumeTypeId !== undefined) set.volume_type_id = changes.volumeTypeId;
  if (changes.groupId !== undefined) set.group_id = changes.groupId;
  if (changes.errorReason !== undefined) set.error_reason = changes.errorReason;
  if (changes.launchedAt !== undefined) set.launched_at = toDbTimestamp(changes.launchedAt);
  if (changes.extendingGb !== undefined) set.extending_gb = changes.extendingGb;
  if (changes.retypingTypeId !== undefined) set.retyping_type_id = changes.retypingTypeId;
  return set;
}

/** A project's volumes and their snapshots on one backend host. */
export interface HostProjectUsage {
  readonly projectId: string;
  readonly volumes: number;
  readonly volumeGb: number;
  readonly snapshots: number;
  readonly snapshotGb: number;
}

export class VolumeStore extends VolumeTableStore {
  // --- volumes

  async insertVolume(volume: Volume): Promise<void> {
    await this.db
      .insertInto('volume_volumes')
      .values({
        id: volume.id,
        project_id: volume.projectId,
        user_id: volume.userId,
        name: volume.name,
        description: volume.description,
        size: volume.size,
        status: volume.status,
        attach_status: volume.attachStatus,
        host: volume.host,
        availability_zone: volume.availabilityZone,
        volume_type_id: volume.volumeTypeId,
        bootable: volume.bootable,
        multiattach: volume.multiattach,
        snapshot_id: volume.snapshotId,
        source_volid: volume.sourceVolid,
        metadata: JSON.stringify(volume.metadata),
        image_metadata: volume.imageMetadata === null ? null : JSON.stringify(volume.imageMetadata),
        admin_metadata: JSON.stringify(volume.adminMetadata),
        group_id: volume.groupId,
        error_reason: volume.errorReason,
        launched_at: volume.launchedAt === null ? null : toDbTimestamp(volume.launchedAt),
        created_at: toDbTimestamp(volume.createdAt),
        updated_at: volume.updatedAt === null ? null : toDbTimestamp(volume.updatedAt),
      })
      .execute();
  }

  async findVolume(id: string): Promise<Volume | undefined> {
    const row = await this.db.selectFrom('volume_volumes').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toVolume(row);
  }

  /** Every volume the filter matches, in the requested order (ties broken by id, as Cinder's paging needs). */
  async listVolumes(filter: VolumeFilter, sort: readonly SortSpec<VolumeSortKey>[]): Promise<Volume[]> {
    let query = this.db.selectFrom('volume_volumes').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.availabilityZone !== undefined) query = query.where('availability_zone', '=', filter.availabilityZone);
    if (filter.bootable !== undefined) query = query.where('bootable', '=', filter.bootable);
    if (filter.volumeTypeId !== undefined) query = query.where('volume_type_id', '=', filter.volumeTypeId);
    if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
    for (const { key, direction } of sort) query = query.orderBy(key, direction);
    if (!sort.some(({ key }) => key === 'id')) query = query.orderBy('id', sort[0]?.direction ?? 'desc');
    return (await query.execute()).map(toVolume);
  }

  /**
   * Applies `changes` when the volume is in one of `expected` statuses (any status when absent);
   * false when it is not (or is gone), so the caller can answer with the state that blocked it.
   */
  async updateVolume(id: string, changes: VolumeChanges, expected?: readonly VolumeStatus[]): Promise<boolean> {
    let query = this.db.updateTable('volume_volumes').set(volumeColumns(changes, this.now())).where('id', '=', id);
    if (expected !== undefined) query = query.where('status', 'in', expected);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteVolume(id: string): Promise<void> {
    await this.db.deleteFrom('volume_volumes').where('id', '=', id).execute();
  }

  // --- snapshots

  async insertSnapshot(snapshot: Snapshot): Promise<void> {
    await this.db
      .insertInto('volume_snapshots')
      .values({
        id: snapshot.id,
        volume_id: snapshot.volumeId,
        project_id: snapshot.projectId,
        user_id: snapshot.userId,
        name: snapshot.name,
        description: snapshot.description,
        size: snapshot.size,
        status: snapshot.status,
        progress: snapshot.progress,
        metadata: JSON.stringify(snapshot.metadata),
        group_snapshot_id: snapshot.groupSnapshotId,
        created_at: toDbTimestamp(snapshot.createdAt),
        updated_at: snapshot.updatedAt === null ? null : toDbTimestamp(snapshot.updatedAt),
      })
      .execute();
  }

  async findSnapshot(id: string): Promise<Snapshot | undefined> {
    const row = await this.db.selectFrom('volume_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toSnapshot(row);
  }

  /** Every snapshot the filter matches, in the requested order (ties broken by id). */
  async listSnapshots(filter: SnapshotFilter, sort: readonly SortSpec<SnapshotSortKey>[]): Promise<Snapshot[]> {
    let query = this.db.selectFrom('volume_snapshots').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.volumeId !== undefined) query = query.where('volume_id', '=', filter.volumeId);
    if (filter.groupSnapshotId !== undefined) query = query.where('group_snapshot_id', '=', filter.groupSnapshotId);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    for (const { key, direction } of sort) query = query.orderBy(key, direction);
    if (!sort.some(({ key }) => key === 'id')) query = query.orderBy('id', sort[0]?.direction ?? 'desc');
    return (await query.execute()).map(toSnapshot);
  }

  async updateSnapshot(id: string, changes: SnapshotChanges, expected?: readonly SnapshotStatus[]): Promise<boolean> {
    const set: Updateable<SnapshotsTable> = { updated_at: toDbTimestamp(this.now()) };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.status !== undefined) set.status = changes.status;
    if (changes.progress !== undefined) set.progress = changes.progress;
    if (changes.metadata !== undefined) set.metadata = JSON.stringify(changes.metadata);
    let query = this.db.updateTable('volume_snapshots').set(set).where('id', '=', id);
    if (expected !== undefined) query = query.where('status', 'in', expected);
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  async deleteSnapshot(id: string): Promise<void> {
    await this.db.deleteFrom('volume_snapshots').where('id', '=', id).execute();
  }

  /**
   * After a snapshot's outcome, its group snapshot's (Cinder's manager does this once the driver
   * has made them all): still creating, it is error when one of its snapshots failed, available
   * when every one is.
   */
  async settleGroupSnapshotOf(snapshotId: string): Promise<void> {
    const snapshot = await this.findSnapshot(snapshotId);
    if (snapshot?.groupSnapshotId == null) return;
    const statuses = (await this.listSnapshots({ groupSnapshotId: snapshot.groupSnapshotId }, [])).map((member) => member.status);
    const status = statuses.includes('error') ? 'error' : statuses.every((member) => member === 'available') ? 'available' : undefined;
    if (status === undefined) return;
    await this.db
      .updateTable('volume_group_snapshots')
      .set({ status, updated_at: toDbTimestamp(this.now()) })
      .where('id', '=', snapshot.groupSnapshotId)
      .where('status', '=', 'creating')
      .execute();
  }

  // --- usage and quotas

  /**
   * What a project holds, and what its extends in progress reserved. Each sum is one statement, so
   * an extend finishing meanwhile (size grown and status changed in one update) is counted once.
   */
  async usageOf(projectId: string): Promise<HeldUsage> {
    const volumes = await this.db
      .selectFrom('volume_volumes')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('gb'), eb.fn.sum<number>(EXTENDING_GB).as('reserved_gb')])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    const snapshots = await this.db
      .selectFrom('volume_snapshots')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('gb')])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return {
      inUse: { volumes: Number(volumes?.n ?? 0), snapshots: Number(snapshots?.n ?? 0), gigabytes: Number(volumes?.gb ?? 0) + Number(snapshots?.gb ?? 0) },
      reserved: { ...NO_USAGE, gigabytes: Number(volumes?.reserved_gb ?? 0) },
    };
  }

  /**
   * What a project holds per volume type id (Cinder's _sync_* with a volume_type_id): its volumes of
   * the type, and its snapshots of volumes of the type, their gigabytes counted in the type's; and
   * what extends and retypes in progress reserved (a retyping volume and its snapshots are reserved
   * in the new type, as Cinder's retype reserves them). Each kind is one statement, so a change
   * finishing meanwhile is counted once.
   */
  async usageByType(projectId: string): Promise<Map<string, HeldUsage>> {
    const volumes = await this.db
      .selectFrom('volume_volumes')
      .select((eb) => [
        eb.ref('volume_type_id').as('type_id'),
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('size').as('gb'),
        sql<number>`0`.as('reserved_n'),
        eb.fn.sum<number>(EXTENDING_GB).as('reserved_gb'),
      ])
      .where('project_id', '=', projectId)
      .groupBy('volume_type_id')
      .unionAll((eb) =>
        eb
          .selectFrom('volume_volumes')
          .select((inner) => [
            sql<string>`retyping_type_id`.as('type_id'),
            sql<number>`0`.as('n'),
            sql<number>`0`.as('gb'),
            inner.fn.countAll<number>().as('reserved_n'),
            inner.fn.sum<number>('size').as('reserved_gb'),
          ])
          .where('project_id', '=', projectId)
          .where('status', '=', 'retyping')
          .where('retyping_type_id', 'is not', null)
          .groupBy('retyping_type_id'),
      )
      .execute();
    const snapshots = await this.db
      .selectFrom('volume_snapshots')
      .innerJoin('volume_volumes', 'volume_volumes.id', 'volume_snapshots.volume_id')
      .select((eb) => [
        eb.ref('volume_volumes.volume_type_id').as('type_id'),
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('volume_snapshots.size').as('gb'),
        sql<number>`0`.as('reserved_n'),
        sql<number>`0`.as('reserved_gb'),
      ])
      .where('volume_snapshots.project_id', '=', projectId)
      .groupBy('volume_volumes.volume_type_id')
      .unionAll((eb) =>
        eb
          .selectFrom('volume_snapshots')
          .innerJoin('volume_volumes', 'volume_volumes.id', 'volume_snapshots.volume_id')
          .select((inner) => [
            sql<string>`volume_volumes.retyping_type_id`.as('type_id'),
            sql<number>`0`.as('n'),
            sql<number>`0`.as('gb'),
            inner.fn.countAll<number>().as('reserved_n'),
            inner.fn.sum<number>('volume_snapshots.size').as('reserved_gb'),
          ])
          .where('volume_snapshots.project_id', '=', projectId)
          .where('volume_volumes.status', '=', 'retyping')
          .where('volume_volumes.retyping_type_id', 'is not', null)
          .groupBy('volume_volumes.retyping_type_id'),
      )
      .execute();
    const usage = new Map<string, HeldUsage>();
    const plus = (a: VolumeUsage, b: VolumeUsage): VolumeUsage => ({ volumes: a.volumes + b.volumes, snapshots: a.snapshots + b.snapshots, gigabytes: a.gigabytes + b.gigabytes });
    const add = (typeId: string, more: HeldUsage) => {
      const held = usage.get(typeId) ?? { inUse: NO_USAGE, reserved: NO_USAGE };
      usage.set(typeId, { inUse: plus(held.inUse, more.inUse), reserved: plus(held.reserved, more.reserved) });
    };
    for (const row of volumes) {
      add(row.type_id, { inUse: { ...NO_USAGE, volumes: Number(row.n), gigabytes: Number(row.gb ?? 0) }, reserved: { ...NO_USAGE, volumes: Number(row.reserved_n), gigabytes: Number(row.reserved_gb ?? 0) } });
    }
    for (const row of snapshots) {
      add(row.type_id, { inUse: { ...NO_USAGE, snapshots: Number(row.n), gigabytes: Number(row.gb ?? 0) }, reserved: { ...NO_USAGE, snapshots: Number(row.reserved_n), gigabytes: Number(row.reserved_gb ?? 0) } });
    }
    return usage;
  }

  /**
   * What each project holds on a backend host (os-hosts): its volumes there (Cinder's host filter:
   * `host` itself or any of its pools, `host#…`) and the snapshots of those volumes.
   */
  async usageOnHost(host: string): Promise<HostProjectUsage[]> {
    const pools = `${host}#`;
    const onHost = sql<boolean>`(volume_volumes.host = ${host} or substr(volume_volumes.host, 1, ${pools.length}) = ${pools})`;
    const volumes = await this.db
      .selectFrom('volume_volumes')
      .select((eb) => ['volume_volumes.project_id', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('volume_volumes.size').as('gb')])
      .where(onHost)
      .groupBy('volume_volumes.project_id')
      .orderBy('volume_volumes.project_id')
      .execute();
    const snapshots = await this.db
      .selectFrom('volume_snapshots')
      .innerJoin('volume_volumes', 'volume_volumes.id', 'volume_snapshots.volume_id')
      .select((eb) => ['volume_snapshots.project_id', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('volume_snapshots.size').as('gb')])
      .where(onHost)
      .groupBy('volume_snapshots.project_id')
      .execute();
    const snapshotsOf = new Map(snapshots.map((row) => [row.project_id, row]));
    return volumes.map((row) => ({
      projectId: row.project_id,
      volumes: Number(row.n),
      volumeGb: Number(row.gb ?? 0),
      snapshots: Number(snapshotsOf.get(row.project_id)?.n ?? 0),
      snapshotGb: Number(snapshotsOf.get(row.project_id)?.gb ?? 0),
    }));
  }

  /** A project's own limits, by resource. */
  async quotaLimits(projectId: string): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('volume_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    return new Map(rows.map((row) => [row.resource, Number(row.hard_limit)]));
  }

  async setQuotaLimits(projectId: string, limits: ReadonlyMap<string, number>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [resource, limit] of limits) {
        await trx.deleteFrom('volume_quotas').where('project_id', '=', projectId).where('resource', '=', resource).execute();
        await trx.insertInto('volume_quotas').values({ project_id: projectId, resource, hard_limit: limit }).execute();
      }
    });
  }

  /** Renames quota resources (old name → new name) in every project's limits. */
  async renameQuotaResources(renames: ReadonlyMap<string, string>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [from, to] of renames) await trx.updateTable('volume_quotas').set({ resource: to }).where('resource', '=', from).execute();
    });
  }

  async deleteQuotaLimits(projectId: string): Promise<void> {
    await this.db.deleteFrom('volume_quotas').where('project_id', '=', projectId).execute();
  }

  // --- volume types

  async insertType(type: VolumeType): Promise<void> {
    const now = toDbTimestamp(this.now());
    await this.db
      .insertInto('volume_types')
      .values({ id: type.id, name: type.name, description: type.description, is_public: type.isPublic, extra_specs: JSON.stringify(type.extraSpecs), created_at: now, updated_at: now })
      .execute();
  }

  async findType(key: { readonly id: string } | { readonly name: string }): Promise<VolumeType | undefined> {
    const query = this.db.selectFrom('volume_types').selectAll();
    const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
    return row === undefined ? undefined : toType(row);
  }

  async listTypes(filter: { readonly isPublic?: boolean } = {}): Promise<VolumeType[]> {
    let query = this.db.selectFrom('volume_types').selectAll();
    if (filter.isPublic !== undefined) query = query.where('is_public', '=', filter.isPublic);
    return (await query.orderBy('name').execute()).map(toType);
  }

  async updateType(id: string, changes: { readonly name?: string; readonly description?: string | null; readonly isPublic?: boolean; readonly extraSpecs?: Readonly<Record<string, string>> }): Promise<boolean> {
    const set: Updateable<VolumeTypesTable> = { updated_at: toDbTimestamp(this.now()) };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.isPublic !== undefined) set.is_public = changes.isPublic;
    if (changes.extraSpecs !== undefined) set.extra_specs = JSON.stringify(changes.extraSpecs);
    return (await this.db.updateTable('volume_types').set(set).where('id', '=', id).executeTakeFirst()).numUpdatedRows > 0n;
  }

  /** The type, with its encryption and QoS association (Cinder's volume_type_destroy). */
  async deleteType(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('volume_type_encryption').where('volume_type_id', '=', id).execute();
      await trx.deleteFrom('volume_qos_associations').where('volume_type_id', '=', id).execute();
      await trx.deleteFrom('volume_types').where('id', '=', id).execute();
    });
  }

  async countVolumesOfType(typeId: string): Promise<number> {
    const row = await this.db.selectFrom('volume_volumes').select((eb) => eb.fn.countAll<number>().as('n')).where('volume_type_id', '=', typeId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
