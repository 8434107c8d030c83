import type { Generated } from 'kysely';
import type { DbTimestamp } from '../../common/db/timestamps.js';

// Rows of the tables created by migrations/2026-11-22-compute-*.ts. Type aliases, not
// interfaces: Kysely's withTables() needs their implicit index signature.

export type InstancesTable = {
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  image_ref: string;
  /** The flavor's public id, for the `flavor` list filter. */
  flavor_id: string;
  /** JSON `{"cur": Flavor, "old": Flavor | null, "new": Flavor | null}` (old/new while resizing). */
  flavor: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  vm_state: string;
  task_state: string | null;
  /** Nova's power_state number (0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED). */
  power_state: number;
  host: string | null;
  node: string | null;
  /** The zone of the host the server was placed on (Nova's conductor sets it); null before. */
  availability_zone: string | null;
  /** The zone the server is pinned to, asked at boot or unshelve (Nova's RequestSpec.availability_zone); null: none. */
  requested_availability_zone: string | null;
  /** `r-xxxxxxxx`, shared by the servers of one multi-create request. */
  reservation_id: string;
  launch_index: number;
  root_device_name: string | null;
  kernel_id: string | null;
  ramdisk_id: string | null;
  launched_at: DbTimestamp | null;
  terminated_at: DbTimestamp | null;
  locked: boolean;
  /** `owner` or `admin`: who may unlock. */
  locked_by: string | null;
  locked_reason: string | null;
  key_name: string | null;
  key_data: string | null;
  /** Base64 as the client sent it. */
  user_data: string | null;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  progress: number | null;
  deleted: boolean;
  deleted_at: DbTimestamp | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type InstanceMetadataTable = {
  instance_uuid: string;
  key: string;
  value: string;
};

/** Nova's instance_info_caches: the instance's network info as JSON (`network/network-info.ts`). */
export type InstanceInfoCachesTable = {
  instance_uuid: string;
  network_info: string;
  updated_at: DbTimestamp;
};

export type InstanceTagsTable = {
  instance_uuid: string;
  tag: string;
};

export type InstanceFaultsTable = {
  id: Generated<number>;
  instance_uuid: string;
  code: number;
  message: string;
  details: string | null;
  host: string | null;
  created_at: DbTimestamp;
};

export type InstanceActionsTable = {
  id: Generated<number>;
  instance_uuid: string;
  action: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: DbTimestamp;
  finish_time: DbTimestamp | null;
  message: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type InstanceActionEventsTable = {
  id: Generated<number>;
  action_id: number;
  event: string;
  start_time: DbTimestamp;
  finish_time: DbTimestamp | null;
  /** `Success` or `Error`, as Nova's events. */
  result: string | null;
  traceback: string | null;
  host: string | null;
  details: string | null;
};

export type BlockDeviceMappingsTable = {
  id: Generated<number>;
  instance_uuid: string;
  source_type: string;
  destination_type: string;
  device_name: string | null;
  boot_index: number | null;
  image_id: string | null;
  volume_id: string | null;
  volume_size: number | null;
  delete_on_termination: boolean;
  attachment_id: string | null;
  tag: string | null;
  created_at: DbTimestamp;
  /** JSON: Cinder's connection_info for the host the instance is on (migrations/2026-12-05-compute-volume-connections.ts). */
  connection_info: string | null;
  /** The snapshot a boot volume is made from (migrations/2026-12-06-compute-bdm-snapshots.ts). */
  snapshot_id: string | null;
  /** Nova's bdm uuid, shown from 2.89 (migrations/2026-12-06-compute-bdm-uuids.ts). */
  uuid: string | null;
};

export type FlavorsTable = {
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  is_public: boolean;
  disabled: boolean;
  description: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type FlavorExtraSpecsTable = {
  flavorid: string;
  key: string;
  value: string;
};

/** Projects a private flavor is offered to. */
export type FlavorProjectsTable = {
  flavorid: string;
  project_id: string;
};

export type KeyPairsTable = {
  id: Generated<number>;
  user_id: string;
  name: string;
  /** `ssh` or `x509`. */
  type: string;
  public_key: string;
  fingerprint: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

/** A project's limit for one resource, overriding the default quota class. */
export type QuotasTable = {
  project_id: string;
  resource: string;
  hard_limit: number;
};

/** A user's own limit inside a project (Nova's project_user_quotas). */
export type ProjectUserQuotasTable = {
  project_id: string;
  user_id: string;
  resource: string;
  hard_limit: number;
};

/** Defaults by class (`default`), changeable by the operator. */
export type QuotaClassesTable = {
  class_name: string;
  resource: string;
  hard_limit: number;
};

export type ServerGroupsTable = {
  id: Generated<number>;
  uuid: string;
  name: string;
  project_id: string;
  user_id: string;
  /** affinity, anti-affinity, soft-affinity or soft-anti-affinity. */
  policy: string;
  /** JSON object, e.g. `{"max_server_per_host": 2}`. */
  rules: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type ServerGroupMembersTable = {
  group_id: number;
  instance_uuid: string;
};

export type AggregatesTable = {
  id: Generated<number>;
  uuid: string;
  name: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

export type AggregateHostsTable = {
  aggregate_id: number;
  host: string;
};

export type AggregateMetadataTable = {
  aggregate_id: number;
  key: string;
  value: string;
};

/** A step of a request outside the instance action events (the request timeline's trace). */
export type RequestStepsTable = {
  id: Generated<number>;
  request_id: string;
  instance_uuid: string | null;
  /** The service binary: `nova-api`, `nova-scheduler`, … */
  service: string;
  host: string;
  step: string;
  start_time: DbTimestamp;
  finish_time: DbTimestamp | null;
  /** `Success` or `Error`, as action events say. */
  result: string | null;
  details: string | null;
};

/** An injected failure (/v2.1/nimbus/faults), active until ended_at is set, expires_at passes or remaining reaches 0. */
export type FaultInjectionsTable = {
  id: string;
  host: string;
  /** slow, fail, drop_heartbeat, pause_bus */
  kind: string;
  operation: string | null;
  instance_uuid: string | null;
  delay_ms: number | null;
  remaining: number | null;
  expires_at: DbTimestamp | null;
  created_at: DbTimestamp;
  request_id: string | null;
  user_id: string | null;
  ended_at: DbTimestamp | null;
  /** used, expired, cleared */
  end_reason: string | null;
};

/** A console URL's token (by its SHA-256) and where the console proxy connects for it. */
export type ConsoleAuthTokensTable = {
  token_hash: string;
  /** `novnc`. */
  console_type: string;
  /** The compute host running the guest. */
  host: string;
  /** A TCP port on the host (null: the console is a unix socket, internal_access_path). */
  port: number | null;
  internal_access_path: string | null;
  instance_uuid: string;
  access_url_base: string | null;
  created_at: DbTimestamp;
  expires: DbTimestamp;
};

export type ComputeNodesTable = {
  id: Generated<number>;
  uuid: string;
  host: string;
  hypervisor_hostname: string;
  host_ip: string | null;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  running_vms: number;
  disk_available_least: number | null;
  hypervisor_type: string;
  hypervisor_version: number;
  /** JSON, as the driver reports it. */
  cpu_info: string;
  /** JSON object of the driver's capabilities. */
  capabilities: string;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

/** A scheduler claim: what one consumer (instance or migration) holds on one node. */
export type AllocationsTable = {
  consumer_uuid: string;
  node_id: number;
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  created_at: DbTimestamp;
};

export type MigrationsTable = {
  id: Generated<number>;
  uuid: string;
  instance_uuid: string;
  /** migration, resize, live-migration or evacuation. */
  migration_type: string;
  status: string;
  source_compute: string | null;
  source_node: string | null;
  dest_compute: string | null;
  dest_node: string | null;
  dest_host: string | null;
  old_flavor_id: string | null;
  new_flavor_id: string | null;
  user_id: string | null;
  project_id: string | null;
  hidden: boolean;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

/** compute_conductor_tasks: the conductor running an instance's build or move, while it runs. */
export type ConductorTasksTable = {
  instance_uuid: string;
  /** What the conductor is doing: build, reschedule, migrate, live_migrate, evacuate, unshelve. */
  task: string;
  /** The conductor's service host. */
  conductor_host: string;
  /** A random id per conductor process start: a row of another boot of this host is a dead one's. */
  conductor_boot: string;
  request_id: string | null;
  /** The migration a move works under, when the caller made it (live migration, evacuation). */
  migration_id: number | null;
  created_at: DbTimestamp;
};

export type ComputeTables = {
  compute_instances: InstancesTable;
  compute_instance_metadata: InstanceMetadataTable;
  compute_instance_system_metadata: InstanceMetadataTable;
  compute_instance_tags: InstanceTagsTable;
  compute_instance_info_caches: InstanceInfoCachesTable;
  compute_instance_faults: InstanceFaultsTable;
  compute_instance_actions: InstanceActionsTable;
  compute_instance_action_events: InstanceActionEventsTable;
  compute_block_device_mappings: BlockDeviceMappingsTable;
  compute_flavors: FlavorsTable;
  compute_flavor_extra_specs: FlavorExtraSpecsTable;
  compute_flavor_projects: FlavorProjectsTable;
  compute_key_pairs: KeyPairsTable;
  compute_console_auth_tokens: ConsoleAuthTokensTable;
  compute_request_steps: RequestStepsTable;
  compute_fault_injections: FaultInjectionsTable;
  compute_quotas: QuotasTable;
  compute_project_user_quotas: ProjectUserQuotasTable;
  compute_quota_classes: QuotaClassesTable;
  compute_server_groups: ServerGroupsTable;
  compute_server_group_members: ServerGroupMembersTable;
  compute_aggregates: AggregatesTable;
  compute_aggregate_hosts: AggregateHostsTable;
  compute_aggregate_metadata: AggregateMetadataTable;
  compute_nodes: ComputeNodesTable;
  compute_allocations: AllocationsTable;
  compute_migrations: MigrationsTable;
  compute_conductor_tasks: ConductorTasksTable;
};
