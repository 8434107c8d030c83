import type { Kysely } from 'kysely';

/** The id of Cinder's `default_cgsnapshot_type` group type, created with the tables as Cinder's migration does. */
const CGSNAPSHOT_TYPE_ID = '5b0c6d2e-8a41-4f3e-9d27-6e1a0c4b7f83';

/**
 * Cinder's generic volume groups (3.13) and group snapshots (3.14): group types (group specs as one
 * JSON text column), groups (their volume types as a JSON array of ids), group snapshots, and the
 * group a volume belongs to and the group snapshot a snapshot was taken in. Deleted rows are
 * removed, as the other volume tables do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_group_types')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('description', 'varchar(255)')
    .addColumn('is_public', 'boolean', (col) => col.notNull())
    .addColumn('group_specs', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db
    .withTables<{ volume_group_types: { id: string; name: string; description: string; is_public: boolean; group_specs: string; created_at: string } }>()
    .insertInto('volume_group_types')
    .values({
      id: CGSNAPSHOT_TYPE_ID,
      name: 'default_cgsnapshot_type',
      description: 'Default group type for migrating cgsnapshot',
      is_public: true,
      group_specs: JSON.stringify({ consistent_group_snapshot_enabled: '<is> True' }),
      created_at: '2026-12-08T00:00:00.000Z',
    })
    .execute();

  await db.schema
    .createTable('volume_groups')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'varchar(255)')
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('availability_zone', 'varchar(255)', (col) => col.notNull())
    .addColumn('group_type_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('volume_type_ids', 'text', (col) => col.notNull())
    .addColumn('group_snapshot_id', 'varchar(36)')
    .addColumn('source_group_id', 'varchar(36)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_groups_project_idx').on('volume_groups').column('project_id').execute();
  await db.schema.createIndex('volume_groups_type_idx').on('volume_groups').column('group_type_id').execute();

  await db.schema
    .createTable('volume_group_snapshots')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('group_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'varchar(255)')
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('group_type_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_group_snapshots_group_idx').on('volume_group_snapshots').column('group_id').execute();

  await db.schema.alterTable('volume_volumes').addColumn('group_id', 'varchar(36)').execute();
  await db.schema.createIndex('volume_volumes_group_idx').on('volume_volumes').column('group_id').execute();
  await db.schema.alterTable('volume_snapshots').addColumn('group_snapshot_id', 'varchar(36)').execute();
  await db.schema.createIndex('volume_snapshots_group_snapshot_idx').on('volume_snapshots').column('group_snapshot_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('volume_snapshots_group_snapshot_idx').on('volume_snapshots').execute();
  await db.schema.alterTable('volume_snapshots').dropColumn('group_snapshot_id').execute();
  await db.schema.dropIndex('volume_volumes_group_idx').on('volume_volumes').execute();
  await db.schema.alterTable('volume_volumes').dropColumn('group_id').execute();
  await db.schema.dropTable('volume_group_snapshots').execute();
  await db.schema.dropTable('volume_groups').execute();
  await db.schema.dropTable('volume_group_types').execute();
}
