import type { Kysely } from 'kysely';

/** Keystone's policy blobs (/v3/policies): a type and a blob the client chose, other fields as JSON text in `extra`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_policies')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('type', 'varchar(255)', (col) => col.notNull())
    .addColumn('blob', 'text', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_policies').execute();
}
