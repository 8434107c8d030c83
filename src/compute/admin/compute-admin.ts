import type { ComputeStores } from '../db/compute-stores.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import { Aggregates } from './aggregates.js';
import { AvailabilityZones } from './availability-zones.js';
import { ComputeServices, type ServiceChanged } from './compute-services.js';
import { Hosts } from './hosts.js';
import { Hypervisors } from './hypervisors.js';
import { ServerGroups } from './server-groups.js';
import { TenantUsages } from './tenant-usage.js';

/** The compute admin APIs' services (os-services, os-hypervisors, zones, aggregates, server groups, usage). */
export interface ComputeAdmin {
  readonly services: ComputeServices;
  readonly hypervisors: Hypervisors;
  /** os-hosts (until 2.42). */
  readonly hosts: Hosts;
  readonly availabilityZones: AvailabilityZones;
  readonly aggregates: Aggregates;
  readonly serverGroups: ServerGroups;
  readonly usage: TenantUsages;
}

export function createComputeAdmin(
  stores: ComputeStores,
  registry: ServiceRegistry,
  quotas: QuotaManager,
  aggregatesChanged: () => Promise<void>,
  serviceChanged: ServiceChanged,
): ComputeAdmin {
  const availabilityZones = new AvailabilityZones(stores.aggregates, registry);
  const aggregates = new Aggregates(stores.aggregates, registry, aggregatesChanged);
  return {
    services: new ComputeServices(stores, registry, availabilityZones, aggregates, serviceChanged),
    hypervisors: new Hypervisors(stores.nodes, stores.usage, registry),
    hosts: new Hosts(registry, availabilityZones, stores.nodes, stores.usage),
    availabilityZones,
    aggregates,
    serverGroups: new ServerGroups(stores.serverGroups, quotas),
    usage: new TenantUsages(stores.usage),
  };
}
