import { driverErrorCode, isSocketFailure, type DatabaseEngine } from '../../engine.js';
import { createPostgresDialect } from './postgres-dialect.js';

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATE classes 08 (connection exception) and 57P (operator intervention: admin_shutdown 57P01,
 * crash_shutdown 57P02, cannot_connect_now 57P03 while the server starts or recovers).
 */
const CONNECTION_SQLSTATE = /^(08|57P)/;

/** pg's own errors for a connection that died or never came (they carry no code). */
const CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

function isConnectionFailure(error: unknown): boolean {
  const code = driverErrorCode(error);
  if (typeof code === 'string' && CONNECTION_SQLSTATE.test(code)) return true;
  return isSocketFailure(error) || (error instanceof Error && CONNECTION_MESSAGES.test(error.message));
}

/** PostgreSQL through a pg pool. */
export const postgresEngine: DatabaseEngine = {
  name: 'postgres',
  capabilities: { supportsReturning: true, transactionalDdl: true, rowLocking: true },
  createDialect: createPostgresDialect,
  isUniqueViolation: (error) => driverErrorCode(error) === UNIQUE_VIOLATION,
  isConnectionFailure,
};
