import type { Kysely } from 'kysely';

/**
 * Glance's images, image_properties, image_tags and image_members. Ids are uuids with dashes
 * (varchar(36)); owners and members are project ids. Deleted images are removed, not kept with
 * a `deleted` flag. Sizes are bigint (images pass 2 GiB). Timestamps are UTC ISO-8601 text in
 * varchar(24) (see common/db/timestamps.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('image_images')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)')
    .addColumn('status', 'varchar(30)', (col) => col.notNull())
    .addColumn('disk_format', 'varchar(20)')
    .addColumn('container_format', 'varchar(20)')
    .addColumn('size', 'bigint')
    .addColumn('virtual_size', 'bigint')
    .addColumn('checksum', 'varchar(32)')
    .addColumn('os_hash_algo', 'varchar(64)')
    .addColumn('os_hash_value', 'varchar(128)')
    .addColumn('min_disk', 'integer', (col) => col.notNull())
    .addColumn('min_ram', 'integer', (col) => col.notNull())
    .addColumn('visibility', 'varchar(20)', (col) => col.notNull())
    .addColumn('protected', 'boolean', (col) => col.notNull())
    .addColumn('os_hidden', 'boolean', (col) => col.notNull())
    .addColumn('owner', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('image_images_owner_idx').on('image_images').column('owner').execute();
  await db.schema.createIndex('image_images_visibility_idx').on('image_images').column('visibility').execute();

  await db.schema
    .createTable('image_properties')
    .addColumn('image_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_properties_pkey', ['image_id', 'name'])
    .execute();

  await db.schema
    .createTable('image_tags')
    .addColumn('image_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('value', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_tags_pkey', ['image_id', 'value'])
    .execute();

  await db.schema
    .createTable('image_members')
    .addColumn('image_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('member', 'varchar(255)', (col) => col.notNull())
    .addColumn('status', 'varchar(20)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_members_pkey', ['image_id', 'member'])
    .execute();
  await db.schema.createIndex('image_members_member_idx').on('image_members').column('member').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['image_members', 'image_tags', 'image_properties', 'image_images']) {
    await db.schema.dropTable(table).execute();
  }
}
