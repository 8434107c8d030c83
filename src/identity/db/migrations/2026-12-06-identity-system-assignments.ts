import type { Kysely } from 'kysely';

/**
 * Keystone's system_assignment: roles granted to a user or a group on the deployment itself
 * (`/v3/system/...`), which system-scoped tokens carry. Kept apart from project and domain
 * grants, as Keystone keeps them, so nothing reading those mistakes the system for a target.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_system_assignments')
    .addColumn('actor_type', 'varchar(8)', (col) => col.notNull())
    .addColumn('actor_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('role_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_system_assignments_pkey', ['actor_type', 'actor_id', 'role_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_system_assignments').execute();
}
