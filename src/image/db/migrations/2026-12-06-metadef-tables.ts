import type { Kysely } from 'kysely';

/**
 * Glance's metadata definitions (metadefs): namespaces, what they hold (objects, properties and
 * tags, one table with a `kind`), the resource types and their associations with namespaces.
 * Namespaces have a uuid id so that renaming one touches one row. Objects and properties keep
 * their JSON-schema body as JSON text. `item_key` is the name items are unique by: the name, or
 * for tags its lower case (Glance's tag names are case insensitive). The resource types a Glance
 * site loads with its shipped definitions are seeded. Timestamps as in the image tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('image_metadef_namespaces')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('namespace', 'varchar(80)', (col) => col.notNull().unique())
    .addColumn('display_name', 'varchar(80)')
    .addColumn('description', 'text')
    .addColumn('visibility', 'varchar(10)', (col) => col.notNull())
    .addColumn('protected', 'boolean', (col) => col.notNull())
    .addColumn('owner', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('image_metadef_items')
    .addColumn('namespace_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('kind', 'varchar(10)', (col) => col.notNull())
    .addColumn('item_key', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_metadef_items_pkey', ['namespace_id', 'kind', 'item_key'])
    .execute();

  await db.schema
    .createTable('image_metadef_resource_types')
    .addColumn('name', 'varchar(80)', (col) => col.primaryKey())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('image_metadef_associations')
    .addColumn('namespace_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('resource_type', 'varchar(80)', (col) => col.notNull())
    .addColumn('prefix', 'varchar(80)')
    .addColumn('properties_target', 'varchar(80)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_metadef_associations_pkey', ['namespace_id', 'resource_type'])
    .execute();

  const seeded = '2026-12-06T00:00:00.000Z';
  const shipped = ['OS::Glance::Image', 'OS::Cinder::Volume', 'OS::Nova::Flavor', 'OS::Nova::Aggregate', 'OS::Nova::Server'];
  await db
    .withTables<{ image_metadef_resource_types: { name: string; created_at: string; updated_at: string } }>()
    .insertInto('image_metadef_resource_types')
    .values(shipped.map((name) => ({ name, created_at: seeded, updated_at: seeded })))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['image_metadef_associations', 'image_metadef_resource_types', 'image_metadef_items', 'image_metadef_namespaces']) {
    await db.schema.dropTable(table).execute();
  }
}
