import type { Kysely } from 'kysely';

/**
 * Nova's project_user_quotas: a user's own limit for a resource inside a project
 * (`os-quota-sets/{project}?user_id=`), below the project's limit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_project_user_quotas')
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('hard_limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_project_user_quotas_pkey', ['project_id', 'user_id', 'resource'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_project_user_quotas').execute();
}
