import type { Database } from '../../common/db/database.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import { Aggregates } from './aggregates.js';
import { AvailabilityZones } from './availability-zones.js';
import { ComputeServices, type ServiceChanged } from './compute-services.js';
import { Hypervisors } from './hypervisors.js';
import { ServerGroups } from './server-groups.js';
import { TenantUsages } from './tenant-usage.js';

/** The compute admin APIs' services (os-services, os-hypervisors, zones, aggregates, server groups, usage). */
export interface ComputeAdmin {
  readonly services: ComputeServices;
  readonly hypervisors: Hypervisors;
  readonly availabilityZones: AvailabilityZones;
  readonly aggregates: Aggregates;
  readonly serverGroups: ServerGroups;
  readonly usage: TenantUsages;
}

export function createComputeAdmin(
  database: Database,
  registry: ServiceRegistry,
  quotas: QuotaManager,
  aggregatesChanged: () => Promise<void>,
  serviceChanged: ServiceChanged,
): ComputeAdmin {
  const availabilityZones = new AvailabilityZones(database, registry);
  const aggregates = new Aggregates(database, registry, aggregatesChanged);
  return {
    services: new ComputeServices(database, registry, availabilityZones, aggregates, serviceChanged),
    hypervisors: new Hypervisors(database, registry),
    availabilityZones,
    aggregates,
    serverGroups: new ServerGroups(database, quotas),
    usage: new TenantUsages(database),
  };
}
