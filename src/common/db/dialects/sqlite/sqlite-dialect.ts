import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';
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

export function createSqliteDialect(url: string): Dialect {
  const path = sqlitePath(url);
  return new SqliteDialect({
    // Opened lazily by Kysely, so a bad path fails at openDatabase's `select 1` like other engines.
    database: () => Promise.resolve().then(() => withBooleans(openFile(path))),
  });
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
