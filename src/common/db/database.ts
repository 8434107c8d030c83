import { Kysely, sql } from 'kysely';
import { StartupError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { dialectOfUrl, maskPassword, redactPassword } from './database-url.js';
import { ENGINES } from './dialects/index.js';
import type { DatabaseCapabilities, DialectName } from './engine.js';

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

/**
 * Opens the database a URL names and checks it answers. `sqlite:///abs/path.sqlite`,
 * `postgresql://` (or `postgres://`), `mysql://` (or `mariadb://`; `mysql+pymysql://` too).
 * A bad URL, an unreachable server or a missing database is a StartupError naming the URL
 * without its password.
 */
export async function openDatabase(url: string): Promise<Database> {
  const displayUrl = maskPassword(url);
  const dialect = dialectOfUrl(url);
  if (dialect === undefined) {
    throw new StartupError(`Unsupported database URL ${displayUrl}: expected sqlite://, postgresql:// or mysql://`);
  }
  const engine = await ENGINES[dialect]();
  let kysely: Kysely<unknown>;
  try {
    kysely = new Kysely<unknown>({ dialect: engine.createDialect(url) });
  } catch (error) {
    throw new StartupError(`Invalid database URL ${displayUrl}: ${redactPassword(describe(error), url)}`, { cause: error });
  }
  try {
    await sql`select 1`.execute(kysely);
  } catch (error) {
    await kysely.destroy().catch(() => undefined);
    throw new StartupError(`Cannot connect to database ${displayUrl}: ${redactPassword(describe(error), url)}`, { cause: error });
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
