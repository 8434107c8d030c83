import { connectDatabase, type Database, type DatabaseOptions } from '../../common/db/database.js';
import { dialectOfUrl, maskPassword } from '../../common/db/database-url.js';
import type { DatabaseEngine, DialectName } from '../../common/db/engine.js';
import { StartupError } from '../../common/errors/errors.js';

/**
 * Every engine adapter, by name: the one place that lists them. Each is loaded when a database
 * of its kind is opened, so a node on SQLite never loads pg or mysql2.
 */
const ENGINES: Readonly<Record<DialectName, () => Promise<DatabaseEngine>>> = {
  sqlite: async () => (await import('../../common/db/dialects/sqlite/sqlite-engine.js')).sqliteEngine,
  postgres: async () => (await import('../../common/db/dialects/postgres/postgres-engine.js')).postgresEngine,
  mariadb: async () => (await import('../../common/db/dialects/mariadb/mariadb-engine.js')).mariadbEngine,
};

/**
 * Opens the database a URL names and checks it answers: the engine is chosen by the URL's scheme,
 * `sqlite:///abs/path.sqlite`, `postgresql://` (or `postgres://`), `mysql://` (or `mariadb://`;
 * `mysql+pymysql://` too). An unknown scheme is a StartupError naming the URL without its password.
 */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const dialect = dialectOfUrl(url);
  if (dialect === undefined) {
    throw new StartupError(`Unsupported database URL ${maskPassword(url)}: expected sqlite://, postgresql:// or mysql://`);
  }
  return connectDatabase(await ENGINES[dialect](), url, options);
}
