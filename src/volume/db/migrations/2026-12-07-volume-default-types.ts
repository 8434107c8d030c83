import type { Kysely } from 'kysely';

/**
 * Cinder's default_volume_types (3.62): a project's own default volume type, one row per project
 * that has one. Unsetting deletes the row (Cinder's is a hard delete too).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_default_types')
    .addColumn('project_id', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('volume_type_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_default_types_type_idx').on('volume_default_types').column('volume_type_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_default_types').execute();
}
