import type { Kysely } from 'kysely';

/** Keystone's OS-EP-FILTER endpoint groups: a name, a description and the filters (JSON text) that pick endpoints. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_endpoint_groups')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('filters', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_endpoint_groups').execute();
}
