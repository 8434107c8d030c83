/**
 * Timestamps are stored as fixed-width UTC ISO-8601 text, `2026-11-22T10:15:30.123Z`, in a
 * `varchar(24)` column, on every engine. Why not native types: MariaDB DATETIME has no zone and
 * truncates to whole seconds unless declared DATETIME(3); mysql2 reads it in the process's local
 * zone by default; better-sqlite3 cannot bind a Date at all; and pg returns timestamptz as a Date
 * but SQLite would return text. The text form reads back byte-for-byte identical everywhere,
 * sorts and compares chronologically as plain strings (fixed width, always `Z`), and is already
 * the shape the OpenStack APIs print.
 */
export type DbTimestamp = string;

export function toDbTimestamp(date: Date): DbTimestamp {
  return date.toISOString();
}

export function fromDbTimestamp(text: DbTimestamp): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`Invalid timestamp in database: "${text}"`);
  return date;
}
