import type { Dialect } from 'kysely';

/** The engines Nimbus runs on. MySQL proper is served by the MariaDB engine. */
export const DIALECT_NAMES = ['sqlite', 'postgres', 'mariadb'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/**
 * What differs between engines, as data. Service code reads these flags; it never asks which
 * engine it runs on.
 */
export interface DatabaseCapabilities {
  /** `INSERT/UPDATE/DELETE … RETURNING` works (otherwise read the row back, or use `insertId`). */
  readonly supportsReturning: boolean;
  /**
   * Migrations run in one transaction, so a failed run leaves none of its migrations applied.
   * MariaDB commits at every DDL statement; SQLite could roll DDL back, but its migrations run
   * outside a transaction (as Kysely does) so that they can switch foreign_keys off to rebuild a
   * table, which SQLite ignores inside one.
   */
  readonly transactionalDdl: boolean;
  /**
   * `SELECT … FOR UPDATE` locks rows. SQLite has no row locks: its one connection already
   * serialises every transaction, so a plain select inside the transaction is enough.
   */
  readonly rowLocking: boolean;
}

/** One engine's adapter: how to reach it and how it differs. Each lives in `dialects/<name>/`. */
export interface DatabaseEngine {
  readonly name: DialectName;
  readonly capabilities: DatabaseCapabilities;
  /** Builds the Kysely dialect for a URL of this engine (already matched by scheme). */
  createDialect(url: string): Dialect;
  /** True when the error is a unique-constraint violation (a duplicate name, a lost insert race). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * True when the error means the server cannot be reached or dropped the connection (stopped,
   * restarting, network gone), rather than a problem with the statement: such a request is a 503.
   */
  isConnectionFailure(error: unknown): boolean;
}

/** The driver's error code (`code` of better-sqlite3, pg and mysql2 errors), if any. */
export function driverErrorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** Node's socket errors for a server that refuses, resets, times out or cannot be routed to. */
const SOCKET_FAILURE_CODES: ReadonlySet<unknown> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/** True when the error (or any error of an AggregateError, as a dual-stack connect raises) is a socket failure. */
export function isSocketFailure(error: unknown): boolean {
  if (SOCKET_FAILURE_CODES.has(driverErrorCode(error))) return true;
  return error instanceof AggregateError && error.errors.some((inner) => isSocketFailure(inner));
}
