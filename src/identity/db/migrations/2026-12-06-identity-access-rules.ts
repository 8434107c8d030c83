import type { Kysely } from 'kysely';

/**
 * Keystone's access rules: what an application credential's tokens may call (service type,
 * HTTP method, path template). A rule belongs to a user and is shared by the user's credentials
 * that ask for the same (service, path, method); it outlives them until the user deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_access_rules')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('service', 'varchar(64)', (col) => col.notNull())
    .addColumn('path', 'varchar(225)', (col) => col.notNull())
    .addColumn('method', 'varchar(16)', (col) => col.notNull())
    .addUniqueConstraint('identity_access_rules_user_rule_key', ['user_id', 'service', 'path', 'method'])
    .execute();

  await db.schema
    .createTable('identity_application_credential_access_rules')
    .addColumn('application_credential_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('access_rule_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_application_credential_access_rules_pkey', ['application_credential_id', 'access_rule_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_application_credential_access_rules', 'identity_access_rules']) {
    await db.schema.dropTable(table).execute();
  }
}
