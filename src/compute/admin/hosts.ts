/**
 * Nova's os-hosts (deprecated at 2.43): the hosts of the enabled nova services with their zones,
 * and a compute host's resources (totals, used now, the flavors of its instances, by project).
 */
import { NotFound } from '../../common/errors/errors.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import type { NodeStore } from '../db/node-store.js';
import type { UsageStore } from '../db/usage-store.js';
import type { AvailabilityZones } from './availability-zones.js';
import { isNovaService } from './nova-services.js';

export interface HostEntry {
  readonly host_name: string;
  readonly service: string;
  readonly zone: string;
}

export interface HostResource {
  readonly host: string;
  readonly project: string;
  readonly cpu: number;
  readonly memory_mb: number;
  readonly disk_gb: number;
}

/** The API services are not hosts in this list (Nova leaves out nova-osapi_compute and nova-metadata). */
const API_BINARIES = new Set(['nova-osapi_compute', 'nova-metadata']);

export class Hosts {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly zones: AvailabilityZones,
    private readonly nodes: NodeStore,
    private readonly usage: UsageStore,
  ) {}

  /** The enabled services' hosts, each with its service's topic and zone; only those in `zone` when one is named. */
  async list(zone: string | undefined): Promise<HostEntry[]> {
    const [services, byHost] = await Promise.all([this.registry.list(), this.zones.zoneByHost()]);
    const hosts: HostEntry[] = [];
    for (const service of services.filter((record) => isNovaService(record) && !record.disabled && !API_BINARIES.has(record.binary))) {
      const entry = { host_name: service.host, service: service.topic, zone: await this.zones.zoneOf(service, byHost) };
      if (zone === undefined || zone === '' || entry.zone === zone) hosts.push(entry);
    }
    return hosts;
  }

  /** A compute host's resources, as Nova's show lists them; 404 for a host without a compute node. */
  async resources(host: string): Promise<HostResource[]> {
    const node = await this.nodes.firstOnHost(host);
    if (node === undefined) throw new NotFound(`Compute host ${host} could not be found.`);
    const instances = await this.usage.resourcesOn(host);
    const disk = (instance: { root_gb: number; ephemeral_gb: number }) => instance.root_gb + instance.ephemeral_gb;
    const resources: HostResource[] = [
      { host, project: '(total)', cpu: node.vcpus, memory_mb: node.memory_mb, disk_gb: node.local_gb },
      { host, project: '(used_now)', cpu: node.vcpus_used, memory_mb: node.memory_mb_used, disk_gb: node.local_gb_used },
      {
        host,
        project: '(used_max)',
        cpu: instances.reduce((sum, instance) => sum + instance.vcpus, 0),
        memory_mb: instances.reduce((sum, instance) => sum + instance.memory_mb, 0),
        disk_gb: instances.reduce((sum, instance) => sum + disk(instance), 0),
      },
    ];
    const byProject = new Map<string, HostResource>();
    for (const instance of instances) {
      const sum = byProject.get(instance.project_id) ?? { host, project: instance.project_id, cpu: 0, memory_mb: 0, disk_gb: 0 };
      byProject.set(instance.project_id, { ...sum, cpu: sum.cpu + instance.vcpus, memory_mb: sum.memory_mb + instance.memory_mb, disk_gb: sum.disk_gb + disk(instance) });
    }
    return [...resources, ...byProject.values()];
  }

  /** Nova's _assert_host_exists: a host with a nova-compute service, else 404. */
  async assertExists(host: string): Promise<void> {
    const services = await this.registry.list({ host, binary: COMPUTE_BINARY });
    if (services.length === 0) throw new NotFound(`Host ${host} could not be found.`);
  }
}
