import type { DatabaseEngine, DialectName } from '../engine.js';

/**
 * Every engine adapter, by name: the one place that lists them. Each is loaded when a database
 * of its kind is opened, so a node on SQLite never loads pg or mysql2.
 */
export const ENGINES: Readonly<Record<DialectName, () => Promise<DatabaseEngine>>> = {
  sqlite: async () => (await import('./sqlite/sqlite-engine.js')).sqliteEngine,
  postgres: async () => (await import('./postgres/postgres-engine.js')).postgresEngine,
  mariadb: async () => (await import('./mariadb/mariadb-engine.js')).mariadbEngine,
};
