import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { StatementCache, type Reusable } from './statement-cache.js';

/**
 * SQLite has no boolean type: better-sqlite3 refuses to bind `true` and reads `boolean` columns
 * back as 0/1, where PostgreSQL and MariaDB (see mariadb-dialect.ts) give JS booleans. This
 * wrapper binds booleans as 0/1 and turns values of columns declared `boolean` back into
 * booleans, so table types say `boolean` truthfully on every engine. Wrapped statements are
 * reused by SQL text (statement-cache.ts).
 */
export function withBooleans(db: BetterSqlite3Database): SqliteDatabase {
  const statements = new StatementCache((sql) => wrapStatement(db.prepare(sql)));
  return {
    close: () => {
      db.close();
    },
    prepare: (sql) => statements.get(sql),
  };
}

type Row = Record<string, unknown>;

function wrapStatement(statement: Statement<unknown[], Row>): SqliteStatement & Reusable {
  const toRow = statement.reader ? rowMaker(statement) : undefined;
  return {
    reader: statement.reader,
    get busy() {
      return statement.busy;
    },
    // An array binds as the anonymous parameters; spreading ~100 `in (…)` values costs more.
    all: (parameters) => {
      const rows: unknown[] = statement.all(bindable(parameters));
      return toRow === undefined ? rows : rows.map(toRow);
    },
    run: (parameters) => statement.run(bindable(parameters)),
    iterate: function* (parameters) {
      for (const row of statement.iterate(bindable(parameters))) yield toRow === undefined ? row : toRow(row);
    },
  };
}

/**
 * Puts the statement in raw mode (rows come as arrays) and returns what makes each array a row.
 * better-sqlite3 builds row objects in V8's dictionary mode, which is slow to read and to write
 * the booleans back into; objects filled here in column order share one fast hidden class. Same
 * keys, order and values as better-sqlite3's own rows (a repeated column name: the last wins).
 */
function rowMaker(statement: Statement<unknown[], Row>): (values: unknown) => Row {
  // Only statements that return rows have columns; their declared types mark the booleans.
  const columns = statement.columns();
  const names = columns.map((column) => column.name);
  const booleans = columns.map((column) => column.type?.toLowerCase() === 'boolean');
  statement.raw(true);
  return (values) => {
    const cells = values as readonly unknown[];
    const row: Row = {};
    for (let index = 0; index < names.length; index++) {
      const value = cells[index];
      row[names[index] as string] = booleans[index] === true && (typeof value === 'number' || typeof value === 'bigint') ? value !== 0 && value !== 0n : value;
    }
    return row;
  };
}

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));
}
