import type { Kysely } from 'kysely';

/**
 * Keystone's application credentials: a user's named secret (hashed as passwords are) for one
 * project, with the roles it may use. Names are unique per user. created_at is UTC ISO-8601
 * text in varchar(24) (see common/db/timestamps.ts); expires_at keeps the microseconds the
 * client gave, as Keystone does, in varchar(27) (`2026-12-06T10:15:30.123456Z`, fixed width so
 * it still sorts), and is null for no expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_application_credentials')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('secret_hash', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('expires_at', 'varchar(27)')
    .addColumn('unrestricted', 'boolean', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addUniqueConstraint('identity_application_credentials_user_name_key', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('identity_application_credential_roles')
    .addColumn('application_credential_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('role_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_application_credential_roles_pkey', ['application_credential_id', 'role_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_application_credential_roles', 'identity_application_credentials']) {
    await db.schema.dropTable(table).execute();
  }
}
