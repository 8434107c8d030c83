import type { Kysely } from 'kysely';

/**
 * One row per project, locked (`SELECT … FOR UPDATE`) while a quota check counts what the project
 * holds and writes what it allowed, so two concurrent creates cannot both pass the same limit.
 * Cinder reserves in quota_usages for this; Nimbus counts instead, under this lock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_quota_locks')
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull().primaryKey())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_quota_locks').execute();
}
