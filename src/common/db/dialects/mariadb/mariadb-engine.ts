import { driverErrorCode, isSocketFailure, type DatabaseEngine } from '../../engine.js';
import { createMariadbDialect } from './mariadb-dialect.js';

/** mysql2's codes for a connection that died, and the server's own while it shuts down or starts. */
const CONNECTION_CODES: ReadonlySet<unknown> = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_GONE_ERROR',
  'ER_SERVER_LOST',
]);

/** MariaDB (and MySQL) through a mysql2 pool. */
export const mariadbEngine: DatabaseEngine = {
  name: 'mariadb',
  // RETURNING exists for INSERT/DELETE since MariaDB 10.5 but not for UPDATE, and not in MySQL.
  capabilities: { supportsReturning: false, transactionalDdl: false, rowLocking: true },
  createDialect: createMariadbDialect,
  isUniqueViolation: (error) => driverErrorCode(error) === 'ER_DUP_ENTRY',
  isConnectionFailure: (error) => CONNECTION_CODES.has(driverErrorCode(error)) || isSocketFailure(error),
};
