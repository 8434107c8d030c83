import type { Kysely } from 'kysely';

/** Keystone's service catalog: regions, services and their endpoints. JSON columns are text. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_regions')
    .addColumn('id', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('description', 'varchar(255)', (col) => col.notNull())
    .addColumn('parent_region_id', 'varchar(255)')
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('identity_catalog_services')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('type', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('description', 'text')
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('identity_endpoints')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('service_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('interface', 'varchar(8)', (col) => col.notNull())
    .addColumn('region_id', 'varchar(255)')
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('identity_endpoints_service_idx').on('identity_endpoints').column('service_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_endpoints', 'identity_catalog_services', 'identity_regions']) {
    await db.schema.dropTable(table).execute();
  }
}
