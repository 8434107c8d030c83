import type { Kysely } from 'kysely';

/**
 * Keystone's resource model: domains, projects, users, groups, roles, implied roles and role
 * assignments. Ids are varchar(64) as Keystone's; names carry the uniqueness Keystone enforces
 * in the database (per domain for projects, users and groups; global roles share the
 * `<<null>>` domain sentinel so the unique key works on every engine). JSON columns are text.
 * Timestamps are UTC ISO-8601 text in varchar(24) (see common/db/timestamps.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_domains')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(64)', (col) => col.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('tags', 'text', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('identity_projects')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(64)', (col) => col.notNull())
    .addColumn('domain_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('parent_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('is_domain', 'boolean', (col) => col.notNull())
    .addColumn('tags', 'text', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addUniqueConstraint('identity_projects_domain_name_key', ['domain_id', 'name'])
    .execute();
  await db.schema.createIndex('identity_projects_parent_idx').on('identity_projects').column('parent_id').execute();

  await db.schema
    .createTable('identity_users')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('domain_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('default_project_id', 'varchar(64)')
    .addColumn('password_hash', 'text')
    .addColumn('password_created_at', 'varchar(24)')
    .addColumn('failed_auth_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_failed_auth_at', 'varchar(24)')
    .addColumn('options', 'text', (col) => col.notNull())
    .addColumn('extra', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addUniqueConstraint('identity_users_domain_name_key', ['domain_id', 'name'])
    .execute();

  await db.schema
    .createTable('identity_groups')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('domain_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('extra', 'text', (col) => col.notNull())
    .addUniqueConstraint('identity_groups_domain_name_key', ['domain_id', 'name'])
    .execute();

  await db.schema
    .createTable('identity_group_members')
    .addColumn('group_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_group_members_pkey', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('identity_group_members_user_idx').on('identity_group_members').column('user_id').execute();

  await db.schema
    .createTable('identity_roles')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('domain_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('extra', 'text', (col) => col.notNull())
    .addUniqueConstraint('identity_roles_domain_name_key', ['domain_id', 'name'])
    .execute();

  await db.schema
    .createTable('identity_implied_roles')
    .addColumn('prior_role_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('implied_role_id', 'varchar(64)', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_implied_roles_pkey', ['prior_role_id', 'implied_role_id'])
    .execute();

  await db.schema
    .createTable('identity_assignments')
    .addColumn('type', 'varchar(16)', (col) => col.notNull())
    .addColumn('actor_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('target_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('role_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('inherited', 'boolean', (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_assignments_pkey', ['type', 'actor_id', 'target_id', 'role_id', 'inherited'])
    .execute();
  await db.schema.createIndex('identity_assignments_actor_idx').on('identity_assignments').column('actor_id').execute();
  await db.schema.createIndex('identity_assignments_target_idx').on('identity_assignments').column('target_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'identity_assignments',
    'identity_implied_roles',
    'identity_roles',
    'identity_group_members',
    'identity_groups',
    'identity_users',
    'identity_projects',
    'identity_domains',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
