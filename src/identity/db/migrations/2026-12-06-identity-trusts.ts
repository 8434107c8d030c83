import type { Kysely } from 'kysely';

/**
 * Keystone's trusts (OS-TRUST): a trustor delegates some of their roles on a project to a
 * trustee, optionally letting the trustee act as the trustor (impersonation), for a limited
 * time (expires_at, kept to the microsecond as application credentials keep it) and a limited
 * number of tokens (remaining_uses, null for unlimited). redelegation_count is how many more
 * times the trust may be delegated on (0: not at all). The same delegation twice is Keystone's
 * duplicate_trust_constraint.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_trusts')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('trustor_user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('trustee_user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(64)')
    .addColumn('impersonation', 'boolean', (col) => col.notNull())
    .addColumn('expires_at', 'varchar(27)')
    .addColumn('remaining_uses', 'integer')
    .addColumn('redelegation_count', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addUniqueConstraint('identity_trusts_duplicate_key', ['trustor_user_id', 'trustee_user_id', 'project_id', 'impersonation', 'expires_at'])
    .execute();
  await db.schema.createIndex('identity_trusts_trustor_idx').on('identity_trusts').column('trustor_user_id').execute();
  await db.schema.createIndex('identity_trusts_trustee_idx').on('identity_trusts').column('trustee_user_id').execute();

  await db.schema
    .createTable('identity_trust_roles')
    .addColumn('trust_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('role_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_trust_roles_pkey', ['trust_id', 'role_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_trust_roles', 'identity_trusts']) {
    await db.schema.dropTable(table).execute();
  }
}
