import { driverErrorCode, type DatabaseEngine } from '../../engine.js';
import { createPostgresDialect } from './postgres-dialect.js';

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** PostgreSQL through a pg pool. */
export const postgresEngine: DatabaseEngine = {
  name: 'postgres',
  capabilities: { supportsReturning: true, transactionalDdl: true, rowLocking: true },
  createDialect: createPostgresDialect,
  isUniqueViolation: (error) => driverErrorCode(error) === UNIQUE_VIOLATION,
};
