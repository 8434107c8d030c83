import type { Kysely } from 'kysely';

/**
 * Glance's image_locations, cut to what a file store needs: which stores hold an image's data
 * (the location's `store` metadata, which the API shows as the image's `stores`). One row per
 * image and store; `store` is empty on a cloud with a single store.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('image_locations')
    .addColumn('image_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('store', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('image_locations_pkey', ['image_id', 'store'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('image_locations').execute();
}
