import type { CreateTableBuilder, Kysely } from 'kysely';

/**
 * Neutron's core resources (networks, subnets, ports and their fixed IPs), security groups, routers,
 * floating IPs, quotas and tags. Ids are uuids with dashes (varchar(36)), project ids varchar(255)
 * as Neutron's. Timestamps are UTC ISO-8601 text in varchar(24) (see common/db/timestamps.ts).
 * Uniqueness that concurrent requests race for is a key here, so the database decides the race:
 * (network, ip) of a fixed IP, (network, mac) of a port, a segmentation id, a project's default
 * security group.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const standard = <T extends string>(table: CreateTableBuilder<T>) =>
    table
      .addColumn('description', 'varchar(255)', (col) => col.notNull())
      .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
      .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
      .addColumn('revision_number', 'bigint', (col) => col.notNull());

  await standard(
    db.schema
      .createTable('net_networks')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('name', 'varchar(255)', (col) => col.notNull())
      .addColumn('admin_state_up', 'boolean', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('shared', 'boolean', (col) => col.notNull())
      .addColumn('external', 'boolean', (col) => col.notNull())
      .addColumn('mtu', 'integer', (col) => col.notNull())
      .addColumn('port_security_enabled', 'boolean', (col) => col.notNull())
      .addColumn('network_type', 'varchar(32)', (col) => col.notNull())
      .addColumn('physical_network', 'varchar(64)')
      .addColumn('segmentation_id', 'integer'),
  ).execute();
  await db.schema.createIndex('net_networks_project_idx').on('net_networks').column('project_id').execute();

  await db.schema
    .createTable('net_segment_allocations')
    .addColumn('network_type', 'varchar(32)', (col) => col.notNull())
    .addColumn('physical_network', 'varchar(64)', (col) => col.notNull())
    .addColumn('segmentation_id', 'integer', (col) => col.notNull())
    .addColumn('network_id', 'varchar(36)', (col) => col.notNull())
    .addPrimaryKeyConstraint('net_segment_allocations_pkey', ['network_type', 'physical_network', 'segmentation_id'])
    .execute();

  await standard(
    db.schema
      .createTable('net_subnets')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('network_id', 'varchar(36)', (col) => col.notNull())
      .addColumn('name', 'varchar(255)', (col) => col.notNull())
      .addColumn('ip_version', 'integer', (col) => col.notNull())
      .addColumn('cidr', 'varchar(64)', (col) => col.notNull())
      .addColumn('gateway_ip', 'varchar(64)')
      .addColumn('enable_dhcp', 'boolean', (col) => col.notNull())
      .addColumn('ipv6_ra_mode', 'varchar(16)')
      .addColumn('ipv6_address_mode', 'varchar(16)')
      .addColumn('allocation_pools', 'text', (col) => col.notNull())
      .addColumn('dns_nameservers', 'text', (col) => col.notNull())
      .addColumn('host_routes', 'text', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('net_subnets_network_idx').on('net_subnets').column('network_id').execute();

  await standard(
    db.schema
      .createTable('net_ports')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('network_id', 'varchar(36)', (col) => col.notNull())
      .addColumn('name', 'varchar(255)', (col) => col.notNull())
      .addColumn('mac_address', 'varchar(32)', (col) => col.notNull())
      .addColumn('admin_state_up', 'boolean', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('device_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('device_owner', 'varchar(255)', (col) => col.notNull())
      .addColumn('port_security_enabled', 'boolean', (col) => col.notNull())
      .addColumn('allowed_address_pairs', 'text', (col) => col.notNull())
      .addColumn('binding_host_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('binding_vnic_type', 'varchar(64)', (col) => col.notNull())
      .addColumn('binding_profile', 'text', (col) => col.notNull())
      .addColumn('binding_vif_type', 'varchar(64)', (col) => col.notNull())
      .addColumn('binding_vif_details', 'text', (col) => col.notNull())
      .addUniqueConstraint('net_ports_network_mac_key', ['network_id', 'mac_address']),
  ).execute();
  await db.schema.createIndex('net_ports_project_idx').on('net_ports').column('project_id').execute();
  await db.schema.createIndex('net_ports_device_idx').on('net_ports').column('device_id').execute();

  await db.schema
    .createTable('net_ip_allocations')
    .addColumn('network_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('ip_address', 'varchar(64)', (col) => col.notNull())
    .addColumn('subnet_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('port_id', 'varchar(36)', (col) => col.notNull())
    .addPrimaryKeyConstraint('net_ip_allocations_pkey', ['network_id', 'ip_address'])
    .execute();
  await db.schema.createIndex('net_ip_allocations_port_idx').on('net_ip_allocations').column('port_id').execute();
  await db.schema.createIndex('net_ip_allocations_subnet_idx').on('net_ip_allocations').column('subnet_id').execute();

  await standard(
    db.schema
      .createTable('net_security_groups')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('name', 'varchar(255)', (col) => col.notNull())
      .addColumn('stateful', 'boolean', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('net_security_groups_project_idx').on('net_security_groups').column('project_id').execute();

  await db.schema
    .createTable('net_default_security_groups')
    .addColumn('project_id', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('security_group_id', 'varchar(36)', (col) => col.notNull())
    .execute();

  await standard(
    db.schema
      .createTable('net_security_group_rules')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('security_group_id', 'varchar(36)', (col) => col.notNull())
      .addColumn('direction', 'varchar(16)', (col) => col.notNull())
      .addColumn('ethertype', 'varchar(8)', (col) => col.notNull())
      .addColumn('protocol', 'varchar(40)')
      .addColumn('port_range_min', 'integer')
      .addColumn('port_range_max', 'integer')
      .addColumn('remote_ip_prefix', 'varchar(64)')
      .addColumn('remote_group_id', 'varchar(36)'),
  ).execute();
  await db.schema.createIndex('net_sg_rules_group_idx').on('net_security_group_rules').column('security_group_id').execute();

  await db.schema
    .createTable('net_port_security_groups')
    .addColumn('port_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('security_group_id', 'varchar(36)', (col) => col.notNull())
    .addPrimaryKeyConstraint('net_port_security_groups_pkey', ['port_id', 'security_group_id'])
    .execute();
  await db.schema.createIndex('net_port_sg_group_idx').on('net_port_security_groups').column('security_group_id').execute();

  await standard(
    db.schema
      .createTable('net_routers')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('name', 'varchar(255)', (col) => col.notNull())
      .addColumn('admin_state_up', 'boolean', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('gw_port_id', 'varchar(36)')
      .addColumn('enable_snat', 'boolean', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('net_routers_project_idx').on('net_routers').column('project_id').execute();

  await db.schema
    .createTable('net_router_ports')
    .addColumn('port_id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('router_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('port_type', 'varchar(255)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('net_router_ports_router_idx').on('net_router_ports').column('router_id').execute();

  await standard(
    db.schema
      .createTable('net_floating_ips')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
      .addColumn('floating_network_id', 'varchar(36)', (col) => col.notNull())
      .addColumn('floating_port_id', 'varchar(36)', (col) => col.notNull())
      .addColumn('floating_ip_address', 'varchar(64)', (col) => col.notNull())
      .addColumn('port_id', 'varchar(36)')
      .addColumn('fixed_ip_address', 'varchar(64)')
      .addColumn('router_id', 'varchar(36)')
      .addColumn('status', 'varchar(16)', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('net_floating_ips_project_idx').on('net_floating_ips').column('project_id').execute();

  await db.schema
    .createTable('net_quotas')
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('net_quotas_pkey', ['project_id', 'resource'])
    .execute();

  await db.schema
    .createTable('net_tags')
    .addColumn('resource_type', 'varchar(32)', (col) => col.notNull())
    .addColumn('resource_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('tag', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('net_tags_pkey', ['resource_type', 'resource_id', 'tag'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    'net_tags',
    'net_quotas',
    'net_floating_ips',
    'net_router_ports',
    'net_routers',
    'net_port_security_groups',
    'net_security_group_rules',
    'net_default_security_groups',
    'net_security_groups',
    'net_ip_allocations',
    'net_ports',
    'net_subnets',
    'net_segment_allocations',
    'net_networks',
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
}
