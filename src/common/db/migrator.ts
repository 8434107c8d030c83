import { Migrator, sql, type Migration, type MigrationResultSet } from 'kysely';
import { StartupError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import type { Database } from './database.js';

const log = getLogger('nimbus.common.db');

/**
 * One service's schema history: `<service>/db/migrations/index.ts` exports the record explicitly,
 * keyed `<YYYY-MM-DD>-<slug>` (applied in name order), since the compiled build cannot scan files.
 */
export interface ServiceMigrations {
  /** Names the service's own tables `nimbus_migrations_<name>` and `…_lock`: lowercase, digits, `_`. */
  readonly name: string;
  readonly migrations: Readonly<Record<string, Migration>>;
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

/** A migration failed; the CLI prints the message (service, migration, cause) on one line. */
export class MigrationFailed extends StartupError {
  constructor(
    readonly service: string,
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    const what = migration === undefined ? `Migrating ${service}` : `Migration ${service}/${migration}`;
    super(`${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailed';
  }
}

/**
 * Applies the service's pending migrations and returns their names (none when up to date). On
 * failure it throws MigrationFailed; the migrations before the failing one stay applied unless
 * the engine has `transactionalDdl`, where the whole run rolls back.
 */
export async function migrateToLatest(db: Database, service: ServiceMigrations): Promise<string[]> {
  if (await hasExactly(db, service)) return [];
  const resultSet: MigrationResultSet = await migratorFor(db, service).migrateToLatest();
  const results = resultSet.results ?? [];
  const rolledBack = resultSet.error !== undefined && db.capabilities.transactionalDdl;
  const applied = rolledBack
    ? []
    : results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  for (const name of applied) log.info(`Applied migration ${service.name}/${name} on ${db.displayUrl}`);
  if (resultSet.error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new MigrationFailed(service.name, failed, resultSet.error);
  }
  return applied;
}

/** Which of the service's migrations the database has, and which it still lacks, in order. */
export async function migrationStatus(db: Database, service: ServiceMigrations): Promise<MigrationStatus> {
  const migrations = await migratorFor(db, service).getMigrations();
  return {
    applied: migrations.filter((info) => info.executedAt !== undefined).map((info) => info.name),
    pending: migrations.filter((info) => info.executedAt === undefined).map((info) => info.name),
  };
}

/**
 * True when the database records exactly the service's migrations as applied: a restart's usual
 * case, answered by one read. Kysely's migrator would reach the same "nothing to do" only after
 * introspecting every table and taking its lock in a write transaction (a disk sync per service).
 * Anything else (no table yet, a migration pending or unknown, an unreachable database) is left
 * to the migrator, which applies, refuses or reports it.
 */
async function hasExactly(db: Database, service: ServiceMigrations): Promise<boolean> {
  let rows: readonly { name: string }[];
  try {
    rows = (await sql<{ name: string }>`select name from ${sql.table(tableNames(service).migrations)}`.execute(db.kysely)).rows;
  } catch {
    return false;
  }
  const wanted = Object.keys(service.migrations);
  const applied = new Set(rows.map((row) => row.name));
  return applied.size === wanted.length && wanted.every((name) => applied.has(name));
}

/** The service's migration history and lock tables (its name checked: it becomes SQL). */
function tableNames(service: ServiceMigrations): { migrations: string; lock: string } {
  if (!/^[a-z][a-z0-9_]*$/.test(service.name)) {
    throw new Error(`Invalid migration set name "${service.name}": use lowercase letters, digits and _`);
  }
  return { migrations: `nimbus_migrations_${service.name}`, lock: `nimbus_migrations_${service.name}_lock` };
}

function migratorFor(db: Database, service: ServiceMigrations): Migrator {
  const tables = tableNames(service);
  const migrations = service.migrations;
  return new Migrator({
    db: db.kysely,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: tables.migrations,
    migrationLockTableName: tables.lock,
  });
}
