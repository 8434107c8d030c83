/** Every row of every table of a database, for tests that must prove a request changed nothing. */
import { sql } from 'kysely';
import type { Database } from '../../src/common/db/database.js';

/** Table name → its rows as JSON text, sorted (row order is not the database's promise). */
export type TableDump = Readonly<Record<string, readonly string[]>>;

export async function dumpTables(db: Database): Promise<TableDump> {
  const tables = await db.kysely.introspection.getTables();
  const dump: Record<string, string[]> = {};
  for (const { name } of tables.sort((a, b) => a.name.localeCompare(b.name))) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db.kysely);
    dump[name] = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).sort();
  }
  return dump;
}

/** The tables whose rows differ between two dumps. */
export function changedTables(before: TableDump, after: TableDump): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name] ?? []) !== JSON.stringify(after[name] ?? []));
}
