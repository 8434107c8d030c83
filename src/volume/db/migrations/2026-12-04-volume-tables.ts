import type { Kysely } from 'kysely';

/** The id of Cinder's `__DEFAULT__` volume type, created with the tables as Cinder's migration does. */
const DEFAULT_TYPE_ID = '7d1f3a2e-4c5b-4e8a-9f60-1b2c3d4e5f60';

/**
 * Cinder's volumes, snapshots, volume types (extra specs as one JSON text column) and per-project
 * quota limits. Metadata and the image metadata of a volume made from an image are JSON text;
 * sizes are GiB integers. Deleted rows are removed, not kept with a `deleted` flag. Timestamps are
 * UTC ISO-8601 text in varchar(24) (see common/db/timestamps.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_volumes')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'varchar(255)')
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('attach_status', 'varchar(255)', (col) => col.notNull())
    .addColumn('host', 'varchar(255)')
    .addColumn('availability_zone', 'varchar(255)', (col) => col.notNull())
    .addColumn('volume_type_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('bootable', 'boolean', (col) => col.notNull())
    .addColumn('multiattach', 'boolean', (col) => col.notNull())
    .addColumn('snapshot_id', 'varchar(36)')
    .addColumn('source_volid', 'varchar(36)')
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('image_metadata', 'text')
    .addColumn('error_reason', 'text')
    .addColumn('launched_at', 'varchar(24)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_volumes_project_idx').on('volume_volumes').column('project_id').execute();

  await db.schema
    .createTable('volume_snapshots')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('volume_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'varchar(255)')
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('progress', 'varchar(255)', (col) => col.notNull())
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_snapshots_volume_idx').on('volume_snapshots').column('volume_id').execute();
  await db.schema.createIndex('volume_snapshots_project_idx').on('volume_snapshots').column('project_id').execute();

  await db.schema
    .createTable('volume_types')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('description', 'varchar(255)')
    .addColumn('is_public', 'boolean', (col) => col.notNull())
    .addColumn('extra_specs', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db
    .withTables<{ volume_types: { id: string; name: string; description: string; is_public: boolean; extra_specs: string; created_at: string } }>()
    .insertInto('volume_types')
    .values({
      id: DEFAULT_TYPE_ID,
      name: '__DEFAULT__',
      description: 'Default Volume Type',
      is_public: true,
      extra_specs: '{}',
      created_at: '2026-12-04T00:00:00.000Z',
    })
    .execute();

  await db.schema
    .createTable('volume_quotas')
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('hard_limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('volume_quotas_pkey', ['project_id', 'resource'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['volume_quotas', 'volume_types', 'volume_snapshots', 'volume_volumes']) await db.schema.dropTable(table).execute();
}
