import { driverErrorCode, type DatabaseEngine } from '../../engine.js';
import { createSqliteDialect } from './sqlite-dialect.js';

const DUPLICATE_KEY_CODES: readonly unknown[] = ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'];

/** Embedded SQLite through better-sqlite3: one connection, so one writer at a time. */
export const sqliteEngine: DatabaseEngine = {
  name: 'sqlite',
  capabilities: { supportsReturning: true, transactionalDdl: false, rowLocking: false },
  createDialect: createSqliteDialect,
  isUniqueViolation: (error) => DUPLICATE_KEY_CODES.includes(driverErrorCode(error)),
  // An embedded file has no connection to lose.
  isConnectionFailure: () => false,
};
