import type { Kysely } from 'kysely';

/**
 * Cinder's transfers: one row per pending offer of a volume to another project. The auth key is
 * kept only as a salted hash; an accepted or deleted transfer is removed, not kept with a
 * `deleted` flag (the transfer history of 3.57 is not offered).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_transfers')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('volume_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('source_project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('display_name', 'varchar(255)')
    .addColumn('salt', 'varchar(255)', (col) => col.notNull())
    .addColumn('crypt_hash', 'varchar(255)', (col) => col.notNull())
    .addColumn('no_snapshots', 'boolean', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('volume_transfers_volume_idx').on('volume_transfers').column('volume_id').unique().execute();
  await db.schema.createIndex('volume_transfers_project_idx').on('volume_transfers').column('source_project_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_transfers').execute();
}
