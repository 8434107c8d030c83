import type { Kysely } from 'kysely';

/**
 * Cinder's volume_type_projects: the projects a private volume type is open to
 * (addProjectAccess). Removing access deletes the row (Cinder's soft delete has no reader here).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_type_projects')
    .addColumn('volume_type_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('volume_type_projects_pk', ['volume_type_id', 'project_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_type_projects').execute();
}
