import type { Kysely } from 'kysely';

/**
 * Keystone's domain-specific configuration: one row per option a domain sets (groups identity
 * and ldap only), its value as JSON text. `sensitive` marks options (ldap password) never shown.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_domain_configs')
    .addColumn('domain_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('group_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('option_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('sensitive', 'boolean', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_domain_configs_pkey', ['domain_id', 'group_name', 'option_name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_domain_configs').execute();
}
