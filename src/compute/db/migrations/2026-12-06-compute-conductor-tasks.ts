import type { Kysely } from 'kysely';

/**
 * Which conductor runs which task: one row per instance while a conductor builds, moves or
 * unshelves it (its service host and the boot of its process), so the other conductors, and the
 * same host started again, find the operations a dead conductor left half done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_conductor_tasks')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('task', 'varchar(32)', (col) => col.notNull())
    .addColumn('conductor_host', 'varchar(255)', (col) => col.notNull())
    .addColumn('conductor_boot', 'varchar(36)', (col) => col.notNull())
    .addColumn('request_id', 'varchar(255)')
    .addColumn('migration_id', 'integer')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_conductor_tasks').execute();
}
