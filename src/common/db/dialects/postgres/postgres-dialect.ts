import { PostgresDialect, type Dialect, type QueryCompiler } from 'kysely';
import { Pool, TypeOverrides, types } from 'pg';
import { getLogger } from '../../../logging/logger.js';
import { maskPassword, withoutDriverSuffix } from '../../database-url.js';
import { NimbusPostgresQueryCompiler } from './postgres-query-compiler.js';

const log = getLogger('nimbus.common.db');

/** pg waits forever for a connection by default; a blackholed server must fail start-up instead. */
const CONNECT_TIMEOUT_MS = 10_000;


class NimbusPostgresDialect extends PostgresDialect {
  override createQueryCompiler(): QueryCompiler {
    return new NimbusPostgresQueryCompiler();
  }
}

/**
 * bigint (counts, sums) as a JS number, as SQLite and MariaDB return it, not as a string. Set on
 * this pool only: pg's global parsers belong to whoever else uses pg in the process.
 */
function bigintAsNumber(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(types.builtins.INT8, Number);
  return overrides;
}

export function createPostgresDialect(url: string): Dialect {
  const pool = new Pool({
    connectionString: withoutDriverSuffix(url),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: bigintAsNumber(),
  });
  // An idle connection dropped by the server is replaced on next use; unhandled, it would kill the
  // process. A server going down drops them all: the outage is logged once, at the next use (outage-guard.ts).
  pool.on('error', (error) => {
    log.debug(`Idle connection to ${maskPassword(url)} failed: ${error.message}`);
  });
  // The pool listens only while a connection is idle in it: one checked out between two queries when
  // the server goes away emits its error with nobody listening, which killed the process. Its next
  // query fails instead, as a connection failure the outage guard reports.
  pool.on('connect', (client) => {
    client.on('error', (error) => log.debug(`Connection to ${maskPassword(url)} failed: ${error.message}`));
  });
  return new NimbusPostgresDialect({ pool });
}
