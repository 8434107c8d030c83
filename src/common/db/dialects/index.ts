import type { DatabaseEngine, DialectName } from '../engine.js';
import { mariadbEngine } from './mariadb/mariadb-engine.js';
import { postgresEngine } from './postgres/postgres-engine.js';
import { sqliteEngine } from './sqlite/sqlite-engine.js';

/** Every engine adapter, by name: the one place that lists them. */
export const ENGINES: Readonly<Record<DialectName, DatabaseEngine>> = {
  sqlite: sqliteEngine,
  postgres: postgresEngine,
  mariadb: mariadbEngine,
};
