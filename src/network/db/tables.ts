import type { DbTimestamp } from '../../common/db/timestamps.js';

// Rows of the tables created by migrations/2026-12-04-network-tables.ts. Type aliases, not
// interfaces: Kysely's withTables() needs their implicit index signature. Lists Neutron keeps in
// side tables of their own (dns_nameservers, host_routes, allocation_pools, allowed address pairs,
// binding details) are JSON text here: nothing queries inside them.

/** Neutron's standard attributes, carried by every resource row. */
type StandardAttributes = {
  description: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
  revision_number: number;
};

export type NetworksTable = StandardAttributes & {
  id: string;
  project_id: string;
  name: string;
  admin_state_up: boolean;
  status: string;
  shared: boolean;
  external: boolean;
  mtu: number;
  port_security_enabled: boolean;
  /** flat, vlan or vxlan. */
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
};

/** Which vlan (per physical network) or vxlan ids are taken: the primary key forbids a second taker. */
export type SegmentAllocationsTable = {
  network_type: string;
  /** '' for vxlan, which has no physical network. */
  physical_network: string;
  segmentation_id: number;
  network_id: string;
};

export type SubnetsTable = StandardAttributes & {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: boolean;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  /** JSON `[{"start": "…", "end": "…"}]`. */
  allocation_pools: string;
  /** JSON `["8.8.8.8"]`. */
  dns_nameservers: string;
  /** JSON `[{"destination": "…", "nexthop": "…"}]`. */
  host_routes: string;
  /** The subnet pool its cidr came from, if any. */
  subnetpool_id: string | null;
};

/** Neutron's subnet pools: prefixes that subnets take their cidr from. */
export type SubnetPoolsTable = StandardAttributes & {
  id: string;
  project_id: string;
  name: string;
  ip_version: number;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  shared: boolean;
  is_default: boolean;
  /** Addresses (IPv4) or /64s (IPv6) a project may take from the pool; null: no limit. */
  default_quota: number | null;
  address_scope_id: string | null;
  /** JSON `["10.0.0.0/16", …]`, merged and sorted. */
  prefixes: string;
  /** Changed by each allocation with a compare-and-set (Neutron's lock_for_allocation). */
  hash: string;
};

export type PortsTable = StandardAttributes & {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: boolean;
  /** JSON `[{"ip_address": "…", "mac_address": "…"}]`. */
  allowed_address_pairs: string;
  binding_host_id: string;
  binding_vnic_type: string;
  /** JSON object. */
  binding_profile: string;
  binding_vif_type: string;
  /** JSON object. */
  binding_vif_details: string;
};

/** One fixed IP of a port. The primary key (network, address) makes a duplicate impossible on every engine. */
export type IpAllocationsTable = {
  network_id: string;
  ip_address: string;
  subnet_id: string;
  port_id: string;
};

export type SecurityGroupsTable = StandardAttributes & {
  id: string;
  project_id: string;
  name: string;
  stateful: boolean;
};

/** The project's `default` group: the primary key lets only one request create it. */
export type DefaultSecurityGroupsTable = {
  project_id: string;
  security_group_id: string;
};

export type SecurityGroupRulesTable = StandardAttributes & {
  id: string;
  project_id: string;
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
};

export type PortSecurityGroupsTable = {
  port_id: string;
  security_group_id: string;
};

export type RoutersTable = StandardAttributes & {
  id: string;
  project_id: string;
  name: string;
  admin_state_up: boolean;
  status: string;
  /** The router's port on its external network, if it has a gateway. */
  gw_port_id: string | null;
  enable_snat: boolean;
};

/** The ports a router owns: its gateway and one per interface. */
export type RouterPortsTable = {
  port_id: string;
  router_id: string;
  /** The port's device_owner: network:router_gateway or network:router_interface. */
  port_type: string;
};

export type FloatingIpsTable = StandardAttributes & {
  id: string;
  project_id: string;
  floating_network_id: string;
  /** The port (device_owner network:floatingip) holding the address on the external network. */
  floating_port_id: string;
  floating_ip_address: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
};

/** A project's limit for one resource, where it differs from the configured default. */
export type QuotasTable = {
  project_id: string;
  resource: string;
  limit: number;
};

export type TagsTable = {
  /** The collection: networks, subnets, ports, security_groups, routers, floatingips. */
  resource_type: string;
  resource_id: string;
  tag: string;
};

/** A network agent of one type on one host (Neutron's agents table). */
export type AgentsTable = {
  id: string;
  /** `Linux bridge agent`, `DHCP agent`, `L3 agent`. */
  agent_type: string;
  binary: string;
  topic: string;
  host: string;
  availability_zone: string | null;
  admin_state_up: boolean;
  description: string;
  /** JSON object: what the agent reports of itself. */
  configurations: string;
  /** Why the agent cannot serve though it reports (no CAP_NET_ADMIN); null when it can. */
  down_reason: string | null;
  created_at: DbTimestamp;
  started_at: DbTimestamp;
  heartbeat_timestamp: DbTimestamp;
};

export type NetworkTables = {
  net_networks: NetworksTable;
  net_segment_allocations: SegmentAllocationsTable;
  net_subnets: SubnetsTable;
  net_subnetpools: SubnetPoolsTable;
  net_ports: PortsTable;
  net_ip_allocations: IpAllocationsTable;
  net_security_groups: SecurityGroupsTable;
  net_default_security_groups: DefaultSecurityGroupsTable;
  net_security_group_rules: SecurityGroupRulesTable;
  net_port_security_groups: PortSecurityGroupsTable;
  net_routers: RoutersTable;
  net_router_ports: RouterPortsTable;
  net_floating_ips: FloatingIpsTable;
  net_quotas: QuotasTable;
  net_tags: TagsTable;
  net_agents: AgentsTable;
};
