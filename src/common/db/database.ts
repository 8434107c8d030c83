import { Kysely, sql } from 'kysely';
import { StartupError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { maskPassword, redactPassword } from './database-url.js';
import type { DatabaseCapabilities, DatabaseEngine, DialectName } from './engine.js';
import { DatabaseUnavailable, guardedDialect, OutageGuard } from './outage-guard.js';

const log = getLogger('nimbus.common.db');

/**
 * An open database. `kysely` is untyped here: each service views it through its own table
 * types with `db.kysely.withTables<ServiceTables>()`.
 */
export interface Database {
  readonly kysely: Kysely<unknown>;
  readonly dialect: DialectName;
  readonly capabilities: DatabaseCapabilities;
  /** The URL with its password masked, for log lines. */
  readonly displayUrl: string;
  /** True when the error is a unique-constraint violation (a duplicate, or a lost insert race). */
  isUniqueViolation(error: unknown): boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** How long one driver step may take before it fails as DatabaseUnavailable (`[database] query_timeout`); 0 or unset: no limit. */
  readonly stepTimeoutMs?: number;
}

/**
 * Opens a database of the given engine at `url` and checks it answers. An invalid URL, an
 * unreachable server or a missing database is a StartupError naming the URL without its password.
 * Which engine a URL names is the composition root's choice (`cli/presets/databases.ts`).
 */
export async function connectDatabase(engine: DatabaseEngine, url: string, options: DatabaseOptions = {}): Promise<Database> {
  const displayUrl = maskPassword(url);
  const dialect = engine.name;
  let kysely: Kysely<unknown>;
  try {
    const guard = new OutageGuard(displayUrl, (error) => engine.isConnectionFailure(error), options.stepTimeoutMs ?? 0);
    kysely = new Kysely<unknown>({ dialect: guardedDialect(engine.createDialect(url), guard) });
  } catch (error) {
    throw new StartupError(`Invalid database URL ${displayUrl}: ${redactPassword(describe(error), url)}`, { cause: error });
  }
  try {
    await sql`select 1`.execute(kysely);
  } catch (error) {
    await kysely.destroy().catch(() => undefined);
    const cause = error instanceof DatabaseUnavailable ? error.cause : error;
    throw new StartupError(`Cannot connect to database ${displayUrl}: ${redactPassword(describe(cause), url)}`, { cause });
  }
  log.debug(`Connected to ${dialect} database ${displayUrl}`);
  return {
    kysely,
    dialect,
    capabilities: engine.capabilities,
    displayUrl,
    isUniqueViolation: (error) => engine.isUniqueViolation(error),
    close: () => kysely.destroy(),
  };
}

/** One line: driver messages sometimes span several, and AggregateErrors (pg's dual-stack connect) have none. */
function describe(error: unknown): string {
  const message =
    error instanceof AggregateError && error.message === ''
      ? error.errors.map((inner) => describe(inner)).join('; ')
      : error instanceof Error
        ? error.message || error.name
        : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
