/**
 * The compute_migrations table: the API and the conductor write it, os-migrations and
 * servers/{id}/migrations read it. Status changes can be compare-and-set on the status found, so a
 * confirm racing a revert (or an abort racing completion) has one winner.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables } from '../db/tables.js';
import type { MigrationChanges, MigrationFilter, MigrationRow, MigrationStatus, NewMigration } from './migration.js';

export class MigrationStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async create(migration: NewMigration): Promise<MigrationRow> {
    const uuid = randomUUID();
    const now = toDbTimestamp(this.now());
    await this.#db
      .insertInto('compute_migrations')
      .values({
        uuid,
        instance_uuid: migration.instanceUuid,
        migration_type: migration.type,
        status: migration.status,
        source_compute: migration.sourceCompute,
        source_node: migration.sourceNode,
        dest_compute: migration.destCompute ?? null,
        dest_node: migration.destNode ?? null,
        dest_host: null,
        old_flavor_id: migration.oldFlavorId ?? null,
        new_flavor_id: migration.newFlavorId ?? null,
        user_id: migration.userId ?? null,
        project_id: migration.projectId ?? null,
        hidden: false,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const row = await this.getByUuid(uuid);
    if (row === undefined) throw new Error(`migration ${uuid} vanished after insert`);
    return row;
  }

  getByUuid(uuid: string): Promise<MigrationRow | undefined> {
    return this.#db.selectFrom('compute_migrations').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  }

  getById(id: number): Promise<MigrationRow | undefined> {
    return this.#db.selectFrom('compute_migrations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Applies `changes`; with `expectedStatuses`, only while the status is one of them. True when
   * the row changed.
   */
  async update(id: number, changes: MigrationChanges, expectedStatuses?: readonly MigrationStatus[]): Promise<boolean> {
    if (expectedStatuses !== undefined && expectedStatuses.length === 0) return false;
    let query = this.#db
      .updateTable('compute_migrations')
      .set({
        ...(changes.status === undefined ? {} : { status: changes.status }),
        ...(changes.destCompute === undefined ? {} : { dest_compute: changes.destCompute }),
        ...(changes.destNode === undefined ? {} : { dest_node: changes.destNode }),
        ...(changes.destHost === undefined ? {} : { dest_host: changes.destHost }),
        updated_at: toDbTimestamp(this.now()),
      })
      .where('id', '=', id);
    if (expectedStatuses !== undefined) query = query.where('status', 'in', expectedStatuses);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Newest first, as Nova lists them. */
  async list(filter: MigrationFilter = {}): Promise<MigrationRow[]> {
    if (filter.statuses?.length === 0) return [];
    let query = this.#db.selectFrom('compute_migrations').selectAll();
    if (filter.instanceUuid !== undefined) query = query.where('instance_uuid', '=', filter.instanceUuid);
    if (filter.host !== undefined) {
      const host = filter.host;
      query = query.where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]));
    }
    if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses);
    if (filter.type !== undefined) query = query.where('migration_type', '=', filter.type);
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.changesSince !== undefined) query = query.where('updated_at', '>=', filter.changesSince);
    if (filter.changesBefore !== undefined) query = query.where('updated_at', '<=', filter.changesBefore);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }
}
