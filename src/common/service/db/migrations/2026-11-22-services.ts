import type { Kysely } from 'kysely';

/**
 * The service registry, after Nova's `services` table: one row per (host, binary), kept alive by
 * heartbeats. Timestamps are UTC ISO-8601 text in varchar(24) (see common/db/timestamps.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('binary', 'varchar(255)', (col) => col.notNull())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('topic', 'varchar(255)', (col) => col.notNull())
    .addColumn('disabled', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('disabled_reason', 'varchar(255)')
    .addColumn('forced_down', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('report_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_seen_at', 'varchar(24)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .addUniqueConstraint('services_host_binary_key', ['host', 'binary'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('services').execute();
}
