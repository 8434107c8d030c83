import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * Nova's `services.uuid` (compute API 2.53 names services by it): a column and a random uuid
 * for every existing row. It stays nullable in the schema because SQLite cannot add a NOT NULL
 * column without a default; the registry writes one on every insert.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('uuid', 'varchar(36)').execute();
  const rows = await sql<{ id: number }>`select id from services`.execute(db);
  for (const row of rows.rows) await sql`update services set uuid = ${randomUUID()} where id = ${row.id}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('uuid').execute();
}
