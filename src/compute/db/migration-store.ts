/**
 * The compute_migrations table: the API and the conductor write it, os-migrations and
 * servers/{id}/migrations read it. Status changes can be compare-and-set on the status found, so a
 * confirm racing a revert (or an abort racing completion) has one winner.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables } from './tables.js';
import { BadRequest } from '../../common/errors/errors.js';
import type { MigrationChanges, MigrationFilter, MigrationPage, MigrationRow, MigrationSearch, MigrationStatus, NewMigration } from '../moves/migration.js';

/** Migration states that are over (Nova's get_in_progress_by_host_and_node leaves these out). */
const MIGRATION_DONE_STATES = ['accepted', 'confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'done'];

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

  /**
   * os-migrations: `list` narrowed further (source_compute, hidden), then one page after `marker`
   * (a migration uuid; unknown is 400 as Nova's MarkerNotFound) of at most `limit`.
   */
  async search(query: MigrationSearch): Promise<MigrationPage> {
    let rows = await this.list(query);
    if (query.host === undefined && query.sourceCompute !== undefined) rows = rows.filter((row) => row.source_compute === query.sourceCompute);
    if (query.hidden !== undefined) rows = rows.filter((row) => Boolean(row.hidden) === query.hidden);
    if (query.marker !== undefined) {
      const at = rows.findIndex((row) => row.uuid === query.marker);
      if (at < 0) throw new BadRequest(`Marker ${query.marker} could not be found.`);
      rows = rows.slice(at + 1);
    }
    const more = query.limit !== undefined && rows.length > query.limit;
    return { migrations: query.limit === undefined ? rows : rows.slice(0, query.limit), more };
  }

  /** The instance's resize or cold migration in one of `statuses`, newest first (Nova's get_by_instance_and_status). */
  async findMove(instanceUuid: string, statuses: readonly MigrationStatus[]): Promise<MigrationRow | undefined> {
    const rows = await this.list({ instanceUuid, statuses });
    return rows.find((row) => row.migration_type === 'resize' || row.migration_type === 'migration');
  }

  /** Uuid and status of the migrations from or to `host` that are not over (Nova's get_in_progress_by_host_and_node). */
  inProgressOn(host: string): Promise<{ uuid: string; status: string }[]> {
    return this.#db
      .selectFrom('compute_migrations')
      .select(['uuid', 'status'])
      .where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]))
      .where('status', 'not in', MIGRATION_DONE_STATES)
      .execute();
  }

  /** Whether `done` evacuations still point at `host` (its agent has not restarted since). */
  async hasDoneEvacuations(host: string): Promise<boolean> {
    const done = await this.#db
      .selectFrom('compute_migrations')
      .select('uuid')
      .where('source_compute', '=', host)
      .where('status', '=', 'done')
      .where('migration_type', '=', 'evacuation')
      .executeTakeFirst();
    return done !== undefined;
  }

  /** Finished resizes and cold migrations to `destCompute` untouched for `olderThanSeconds` (Nova's get_unconfirmed_by_dest_compute). */
  async unconfirmed(destCompute: string, olderThanSeconds: number): Promise<MigrationRow[]> {
    const before = toDbTimestamp(new Date(this.now().getTime() - olderThanSeconds * 1000));
    const rows = await this.list({ statuses: ['finished'], changesBefore: before });
    return rows.filter((row) => row.dest_compute === destCompute && (row.migration_type === 'resize' || row.migration_type === 'migration'));
  }
}
