import { driverErrorCode, type DatabaseEngine } from '../../engine.js';
import { createMariadbDialect } from './mariadb-dialect.js';

/** MariaDB (and MySQL) through a mysql2 pool. */
export const mariadbEngine: DatabaseEngine = {
  name: 'mariadb',
  // RETURNING exists for INSERT/DELETE since MariaDB 10.5 but not for UPDATE, and not in MySQL.
  capabilities: { supportsReturning: false, transactionalDdl: false, rowLocking: true },
  createDialect: createMariadbDialect,
  isUniqueViolation: (error) => driverErrorCode(error) === 'ER_DUP_ENTRY',
};
