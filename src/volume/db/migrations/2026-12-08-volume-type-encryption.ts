import type { Kysely } from 'kysely';

/**
 * Cinder's encryption (volume_type_encryption): how volumes of a type are to be encrypted, one
 * row per type. Kept and shown only: Nimbus's backends encrypt nothing. A deleted one is removed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_type_encryption')
    .addColumn('volume_type_id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('encryption_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('provider', 'varchar(255)', (col) => col.notNull())
    .addColumn('cipher', 'varchar(255)')
    .addColumn('key_size', 'integer')
    .addColumn('control_location', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_type_encryption').execute();
}
