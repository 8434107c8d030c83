/**
 * Where the scheduler service loads its cache from at start. In Nimbus's all-in-one the scheduler
 * reads the compute DB directly (as Nova's scheduler reads the cell DBs); afterwards the cache is
 * kept current by the reports the conductor forwards.
 */
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import type { AggregateStore } from '../db/aggregate-store.js';
import type { NodeStore } from '../db/node-store.js';
import type { UsageStore } from '../db/usage-store.js';
import type { Aggregate, NodeReport, ServiceStatus } from './host-state.js';


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

/** The stores the scheduler reads at start. */
export interface HostSourceStores {
  readonly nodes: NodeStore;
  readonly usage: UsageStore;
  readonly aggregates: AggregateStore;
}

export class DbHostSource implements SchedulerHostSource {
  constructor(
    private readonly stores: HostSourceStores,
    private readonly registry: ServiceRegistry,
  ) {}

  async loadNodes(): Promise<NodeReport[]> {
    const nodes = await this.stores.nodes.list();
    const byHost = await this.stores.usage.instancesByHost();
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

  loadAggregates(): Promise<Aggregate[]> {
    return this.stores.aggregates.all();
  }
}

/** compute_nodes.capabilities holds a JSON object; only its string values matter to the filters. */
function parseStringMap(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json || '{}');
  if (typeof parsed !== 'object' || parsed === null) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
