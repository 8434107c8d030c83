import { connectDatabase, type Database } from '../../common/db/database.js';
import { dialectOfUrl, maskPassword } from '../../common/db/database-url.js';
import { mariadbEngine } from '../../common/db/dialects/mariadb/mariadb-engine.js';
import { postgresEngine } from '../../common/db/dialects/postgres/postgres-engine.js';
import { sqliteEngine } from '../../common/db/dialects/sqlite/sqlite-engine.js';
import type { DatabaseEngine, DialectName } from '../../common/db/engine.js';
import { StartupError } from '../../common/errors/errors.js';

/** Every engine adapter, by name: the one place that lists them. */
const ENGINES: Readonly<Record<DialectName, DatabaseEngine>> = {
  sqlite: sqliteEngine,
  postgres: postgresEngine,
  mariadb: mariadbEngine,
};

/**
 * Opens the database a URL names and checks it answers: the engine is chosen by the URL's scheme,
 * `sqlite:///abs/path.sqlite`, `postgresql://` (or `postgres://`), `mysql://` (or `mariadb://`;
 * `mysql+pymysql://` too). An unknown scheme is a StartupError naming the URL without its password.
 */
export async function openDatabase(url: string): Promise<Database> {
  const dialect = dialectOfUrl(url);
  if (dialect === undefined) {
    throw new StartupError(`Unsupported database URL ${maskPassword(url)}: expected sqlite://, postgresql:// or mysql://`);
  }
  return connectDatabase(ENGINES[dialect], url);
}
