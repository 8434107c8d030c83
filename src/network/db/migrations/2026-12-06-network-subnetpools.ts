import type { Kysely } from 'kysely';

/**
 * Neutron's subnetpools table, and each subnet's pool. `prefixes` is JSON text (Neutron keeps them
 * in subnetpoolprefixes; nothing queries inside them). `hash` is Neutron's allocation lock: a
 * subnet allocation from the pool changes it with a compare-and-set, so of two concurrent
 * allocations that read the same pool state only one commits and the other starts over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('net_subnetpools')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('ip_version', 'integer', (col) => col.notNull())
    .addColumn('default_prefixlen', 'integer', (col) => col.notNull())
    .addColumn('min_prefixlen', 'integer', (col) => col.notNull())
    .addColumn('max_prefixlen', 'integer', (col) => col.notNull())
    .addColumn('shared', 'boolean', (col) => col.notNull())
    .addColumn('is_default', 'boolean', (col) => col.notNull())
    .addColumn('default_quota', 'integer')
    .addColumn('address_scope_id', 'varchar(36)')
    .addColumn('prefixes', 'text', (col) => col.notNull())
    .addColumn('hash', 'varchar(36)', (col) => col.notNull())
    .addColumn('description', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('revision_number', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('net_subnetpools_project_idx').on('net_subnetpools').column('project_id').execute();

  await db.schema.alterTable('net_subnets').addColumn('subnetpool_id', 'varchar(36)').execute();
  await db.schema.createIndex('net_subnets_subnetpool_idx').on('net_subnets').column('subnetpool_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('net_subnets_subnetpool_idx').on('net_subnets').execute();
  await db.schema.alterTable('net_subnets').dropColumn('subnetpool_id').execute();
  await db.schema.dropTable('net_subnetpools').execute();
}
