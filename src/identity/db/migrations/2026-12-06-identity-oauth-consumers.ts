import type { Kysely } from 'kysely';

/**
 * Keystone's OS-OAUTH1 consumers: a description and the secret OAuth1 signs with (kept as
 * Keystone keeps it, since an HMAC check needs it back), other fields as JSON text in `extra`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_oauth_consumers')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('description', 'varchar(64)')
    .addColumn('secret', 'varchar(64)', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_oauth_consumers').execute();
}
