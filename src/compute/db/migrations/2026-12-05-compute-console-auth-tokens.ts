import type { Kysely } from 'kysely';

/**
 * Nova's console_auth_tokens: one row per console URL handed out, keyed by the token's SHA-256
 * (the token itself is never stored), with where the console proxy connects and until when.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_console_auth_tokens')
    .addColumn('token_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('console_type', 'varchar(255)', (col) => col.notNull())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('port', 'integer')
    .addColumn('internal_access_path', 'varchar(255)')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('access_url_base', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('expires', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_console_auth_tokens_expires_idx').on('compute_console_auth_tokens').column('expires').execute();
  await db.schema.createIndex('compute_console_auth_tokens_instance_idx').on('compute_console_auth_tokens').column('instance_uuid').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_console_auth_tokens').execute();
}
