import type { Kysely } from 'kysely';

/**
 * Keystone's credentials (/v3/credentials and the OS-EC2 ones, which are rows of type `ec2`):
 * a user's blob (JSON text the client chose; for ec2 `{"access", "secret", …}`) of a type,
 * optionally for a project. An ec2 credential's id is the sha256 of its access key, so the
 * access key finds it. `extra` holds the other fields the client sent, as JSON text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_credentials')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(64)')
    .addColumn('type', 'varchar(255)', (col) => col.notNull())
    .addColumn('blob', 'text', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('identity_credentials_user_id_idx').on('identity_credentials').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_credentials').execute();
}
