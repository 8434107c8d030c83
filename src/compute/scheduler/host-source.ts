/**
 * Where the scheduler service loads its cache from at start. In Nimbus's all-in-one the scheduler
 * reads the compute DB directly (as Nova's scheduler reads the cell DBs); afterwards the cache is
 * kept current by the reports the conductor forwards.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { ComputeTables } from '../db/tables.js';
import type { Aggregate, NodeReport, ServiceStatus } from './host-state.js';

export const COMPUTE_BINARY = 'nova-compute';

/** The host's nova-compute service: undefined when there is none; `up` as the service group sees it. */
export async function computeService(services: Pick<ServiceRegistry, 'list'>, host: string): Promise<ServiceRecord | undefined> {
  const [service] = await services.list({ binary: COMPUTE_BINARY, host });
  return service;
}

export interface HostServiceStatus {
  readonly host: string;
  readonly status: ServiceStatus;
}

export interface SchedulerHostSource {
  loadNodes(): Promise<NodeReport[]>;
  loadComputeServices(): Promise<HostServiceStatus[]>;
  loadAggregates(): Promise<Aggregate[]>;
}

export class DbHostSource implements SchedulerHostSource {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly registry: ServiceRegistry,
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async loadNodes(): Promise<NodeReport[]> {
    const nodes = await this.#db.selectFrom('compute_nodes').selectAll().execute();
    const instances = await this.#db
      .selectFrom('compute_instances')
      .select(['uuid', 'host'])
      .where('deleted', '=', false)
      .where('host', 'is not', null)
      .execute();
    const byHost = new Map<string, string[]>();
    for (const row of instances) {
      if (row.host === null) continue;
      const list = byHost.get(row.host) ?? [];
      list.push(row.uuid);
      byHost.set(row.host, list);
    }
    return nodes.map((node) => ({
      host: node.host,
      node: node.hypervisor_hostname,
      vcpus: node.vcpus,
      vcpusUsed: node.vcpus_used,
      memoryMb: node.memory_mb,
      memoryMbUsed: node.memory_mb_used,
      localGb: node.local_gb,
      localGbUsed: node.local_gb_used,
      hypervisorType: node.hypervisor_type,
      hypervisorVersion: node.hypervisor_version,
      capabilities: parseStringMap(node.capabilities),
      allocationRatios: { cpu: node.cpu_allocation_ratio, ram: node.ram_allocation_ratio, disk: node.disk_allocation_ratio },
      instanceUuids: byHost.get(node.host) ?? [],
    }));
  }

  async loadComputeServices(): Promise<HostServiceStatus[]> {
    const services = await this.registry.list({ binary: COMPUTE_BINARY });
    return services.map((service) => ({
      host: service.host,
      status: { up: service.up, disabled: service.disabled, disabledReason: service.disabledReason, forcedDown: service.forcedDown },
    }));
  }

  async loadAggregates(): Promise<Aggregate[]> {
    const aggregates = await this.#db.selectFrom('compute_aggregates').select(['id', 'name']).execute();
    const hosts = await this.#db.selectFrom('compute_aggregate_hosts').selectAll().execute();
    const metadata = await this.#db.selectFrom('compute_aggregate_metadata').selectAll().execute();
    return aggregates.map((aggregate) => ({
      id: aggregate.id,
      name: aggregate.name,
      hosts: hosts.filter((row) => row.aggregate_id === aggregate.id).map((row) => row.host),
      metadata: Object.fromEntries(metadata.filter((row) => row.aggregate_id === aggregate.id).map((row) => [row.key, row.value])),
    }));
  }
}

/** compute_nodes.capabilities holds a JSON object; only its string values matter to the filters. */
function parseStringMap(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json || '{}');
  if (typeof parsed !== 'object' || parsed === null) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
