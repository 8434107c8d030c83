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
  // Only statements that return rows have columns; their declared types mark the booleans.
  const booleanColumns = statement.reader
    ? statement
        .columns()
        .filter((column) => column.type?.toLowerCase() === 'boolean')
        .map((column) => column.name)
    : [];
  const convert = booleanColumns.length === 0 ? (row: Row) => row : (row: Row) => toBooleans(row, booleanColumns);
  return {
    reader: statement.reader,
    get busy() {
      return statement.busy;
    },
    all: (parameters) => statement.all(...bindable(parameters)).map(convert),
    run: (parameters) => statement.run(...bindable(parameters)),
    iterate: function* (parameters) {
      for (const row of statement.iterate(...bindable(parameters))) yield convert(row);
    },
  };
}

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));
}

function toBooleans(row: Row, columns: readonly string[]): Row {
  for (const name of columns) {
    const value = row[name];
    if (typeof value === 'number' || typeof value === 'bigint') row[name] = value !== 0 && value !== 0n;
  }
  return row;
}
