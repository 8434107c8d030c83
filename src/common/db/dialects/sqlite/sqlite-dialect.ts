import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Dialect, type SqliteDialectConfig } from 'kysely';
import { takeTurn } from './event-loop-turns.js';
import { withBooleans } from './sqlite-booleans.js';

const IN_MEMORY = ':memory:';

/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The file a `sqlite://` URL names. `sqlite:///abs/path` and SQLAlchemy's `sqlite:////abs/path`
 * both mean `/abs/path` (relative paths are not supported: the state dir is absolute);
 * `sqlite://` and `sqlite://:memory:` mean an in-memory database.
 */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^[a-z0-9+]+:\/\//i, '').split('?')[0] ?? '';
  if (rest === '' || rest === IN_MEMORY || rest === `/${IN_MEMORY}`) return IN_MEMORY;
  return '/' + decodeURIComponent(rest.replace(/^\/+/, ''));
}

/** Kysely's SQLite driver, giving the event loop its turns between runs of queries (event-loop-turns.ts). */
class TurnTakingSqliteDriver extends SqliteDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    await takeTurn();
    return super.acquireConnection();
  }
}

export function createSqliteDialect(url: string): Dialect {
  const path = sqlitePath(url);
  const config: SqliteDialectConfig = {
    // Opened lazily by Kysely, so a bad path fails at openDatabase's `select 1` like other engines.
    database: () => Promise.resolve().then(() => withBooleans(openFile(path))),
  };
  const dialect = new SqliteDialect(config);
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new TurnTakingSqliteDriver(config),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

function openFile(path: string): BetterSqlite3.Database {
  if (path !== IN_MEMORY) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  // WAL lets readers in other processes (`nimbus status`) run while the server writes.
  if (path !== IN_MEMORY) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  // Sorts of list pages (ORDER BY without an index) stay in memory.
  db.pragma('temp_store = MEMORY');
  return db;
}
