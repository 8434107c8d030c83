import type { Kysely } from 'kysely';

/**
 * Nova's API-database tables (flavors, key pairs, quotas, server groups, aggregates) and the
 * cell tables hosts report into (compute nodes, allocations, migrations), prefixed `compute_`.
 * Flavors are keyed by their public `flavorid` string; names are unique like Nova's. Key pairs
 * and the host-side tables have integer ids because the API prints them. Allocations are the
 * scheduler's claims (Placement's role): one row per consumer (instance or migration) and node,
 * inserted atomically with the usage check.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_flavors')
    .addColumn('flavorid', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('vcpus', 'integer', (col) => col.notNull())
    .addColumn('memory_mb', 'integer', (col) => col.notNull())
    .addColumn('root_gb', 'integer', (col) => col.notNull())
    .addColumn('ephemeral_gb', 'integer', (col) => col.notNull())
    .addColumn('swap', 'integer', (col) => col.notNull())
    .addColumn('rxtx_factor', 'double precision', (col) => col.notNull())
    .addColumn('is_public', 'boolean', (col) => col.notNull())
    .addColumn('disabled', 'boolean', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('compute_flavor_extra_specs')
    .addColumn('flavorid', 'varchar(255)', (col) => col.notNull())
    .addColumn('key', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_flavor_extra_specs_pkey', ['flavorid', 'key'])
    .execute();

  await db.schema
    .createTable('compute_flavor_projects')
    .addColumn('flavorid', 'varchar(255)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_flavor_projects_pkey', ['flavorid', 'project_id'])
    .execute();

  await db.schema
    .createTable('compute_key_pairs')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('type', 'varchar(10)', (col) => col.notNull())
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .addUniqueConstraint('compute_key_pairs_user_name_key', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('compute_quotas')
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('hard_limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_quotas_pkey', ['project_id', 'resource'])
    .execute();

  await db.schema
    .createTable('compute_quota_classes')
    .addColumn('class_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('hard_limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_quota_classes_pkey', ['class_name', 'resource'])
    .execute();

  await db.schema
    .createTable('compute_server_groups')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('uuid', 'varchar(36)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('policy', 'varchar(255)', (col) => col.notNull())
    .addColumn('rules', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('compute_server_group_members')
    .addColumn('group_id', 'integer', (col) => col.notNull())
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_server_group_members_pkey', ['group_id', 'instance_uuid'])
    .execute();
  await db.schema.createIndex('compute_server_group_members_instance_idx').on('compute_server_group_members').column('instance_uuid').execute();

  await db.schema
    .createTable('compute_aggregates')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('uuid', 'varchar(36)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();

  await db.schema
    .createTable('compute_aggregate_hosts')
    .addColumn('aggregate_id', 'integer', (col) => col.notNull())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_aggregate_hosts_pkey', ['aggregate_id', 'host'])
    .execute();

  await db.schema
    .createTable('compute_aggregate_metadata')
    .addColumn('aggregate_id', 'integer', (col) => col.notNull())
    .addColumn('key', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_aggregate_metadata_pkey', ['aggregate_id', 'key'])
    .execute();

  await db.schema
    .createTable('compute_nodes')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('uuid', 'varchar(36)', (col) => col.notNull().unique())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('hypervisor_hostname', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('host_ip', 'varchar(39)')
    .addColumn('vcpus', 'integer', (col) => col.notNull())
    .addColumn('memory_mb', 'integer', (col) => col.notNull())
    .addColumn('local_gb', 'integer', (col) => col.notNull())
    .addColumn('vcpus_used', 'integer', (col) => col.notNull())
    .addColumn('memory_mb_used', 'integer', (col) => col.notNull())
    .addColumn('local_gb_used', 'integer', (col) => col.notNull())
    .addColumn('running_vms', 'integer', (col) => col.notNull())
    .addColumn('disk_available_least', 'integer')
    .addColumn('hypervisor_type', 'varchar(255)', (col) => col.notNull())
    .addColumn('hypervisor_version', 'integer', (col) => col.notNull())
    .addColumn('cpu_info', 'text', (col) => col.notNull())
    .addColumn('capabilities', 'text', (col) => col.notNull())
    .addColumn('cpu_allocation_ratio', 'double precision', (col) => col.notNull())
    .addColumn('ram_allocation_ratio', 'double precision', (col) => col.notNull())
    .addColumn('disk_allocation_ratio', 'double precision', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_nodes_host_idx').on('compute_nodes').column('host').execute();

  await db.schema
    .createTable('compute_allocations')
    .addColumn('consumer_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('node_id', 'integer', (col) => col.notNull())
    .addColumn('vcpus', 'integer', (col) => col.notNull())
    .addColumn('memory_mb', 'integer', (col) => col.notNull())
    .addColumn('disk_gb', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_allocations_pkey', ['consumer_uuid', 'node_id'])
    .execute();
  await db.schema.createIndex('compute_allocations_node_idx').on('compute_allocations').column('node_id').execute();

  await db.schema
    .createTable('compute_migrations')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('uuid', 'varchar(36)', (col) => col.notNull().unique())
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('migration_type', 'varchar(20)', (col) => col.notNull())
    .addColumn('status', 'varchar(255)', (col) => col.notNull())
    .addColumn('source_compute', 'varchar(255)')
    .addColumn('source_node', 'varchar(255)')
    .addColumn('dest_compute', 'varchar(255)')
    .addColumn('dest_node', 'varchar(255)')
    .addColumn('dest_host', 'varchar(255)')
    .addColumn('old_flavor_id', 'varchar(255)')
    .addColumn('new_flavor_id', 'varchar(255)')
    .addColumn('user_id', 'varchar(255)')
    .addColumn('project_id', 'varchar(255)')
    .addColumn('hidden', 'boolean', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_migrations_instance_idx').on('compute_migrations').column('instance_uuid').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'compute_migrations',
    'compute_allocations',
    'compute_nodes',
    'compute_aggregate_metadata',
    'compute_aggregate_hosts',
    'compute_aggregates',
    'compute_server_group_members',
    'compute_server_groups',
    'compute_quota_classes',
    'compute_quotas',
    'compute_key_pairs',
    'compute_flavor_projects',
    'compute_flavor_extra_specs',
    'compute_flavors',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
