import type { Kysely } from 'kysely';

/**
 * Cinder's backups: one row per backup of a volume (or of one of its snapshots), its parent for an
 * incremental, the backup service that holds it and what it stored. Sizes are GiB (the volume's);
 * timestamps UTC ISO-8601 text in varchar(24). Deleted rows are removed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_backups')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('volume_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('snapshot_id', 'varchar(36)')
    .addColumn('parent_id', 'varchar(36)')
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'varchar(255)')
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('fail_reason', 'text')
    .addColumn('availability_zone', 'varchar(255)', (col) => col.notNull())
    .addColumn('container', 'varchar(255)')
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('service', 'varchar(255)')
    .addColumn('object_count', 'integer', (col) => col.notNull())
    .addColumn('restore_volume_id', 'varchar(36)')
    .addColumn('data_timestamp', 'varchar(24)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_backups_project_idx').on('volume_backups').column('project_id').execute();
  await db.schema.createIndex('volume_backups_volume_idx').on('volume_backups').column('volume_id').execute();
  await db.schema.createIndex('volume_backups_parent_idx').on('volume_backups').column('parent_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_backups').execute();
}
