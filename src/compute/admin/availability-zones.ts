import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import type { AggregateStore } from '../db/aggregate-store.js';
import { isNovaService } from './nova-services.js';

/** Nova's `[DEFAULT] default_availability_zone` and `internal_service_availability_zone`. */
export const DEFAULT_ZONE = 'nova';
const INTERNAL_ZONE = 'internal';

export interface Zone {
  readonly name: string;
  /** True when at least one enabled service is in it. */
  readonly available: boolean;
  readonly services: readonly ServiceRecord[];
}

/**
 * Availability zones as Nova derives them: a compute host's zone is the availability_zone
 * metadata of an aggregate it belongs to, else the default zone; other services are `internal`.
 */
export class AvailabilityZones {
  constructor(
    private readonly aggregates: AggregateStore,
    private readonly registry: ServiceRegistry,
  ) {}

  /** host → zone for hosts in an aggregate with a zone. */
  zoneByHost(): Promise<Map<string, string>> {
    return this.aggregates.zoneByHost();
  }

  async zoneOf(service: ServiceRecord, byHost?: Map<string, string>): Promise<string> {
    if (service.binary !== COMPUTE_BINARY) return INTERNAL_ZONE;
    return (byHost ?? (await this.zoneByHost())).get(service.host) ?? DEFAULT_ZONE;
  }

  /** Zones of the services, compute zones first (by name), with `internal` only when asked. */
  async list(withInternal: boolean): Promise<Zone[]> {
    const [services, byHost] = await Promise.all([this.registry.list(), this.zoneByHost()]);
    const zones = new Map<string, ServiceRecord[]>();
    for (const service of services.filter(isNovaService)) {
      const zone = service.binary === COMPUTE_BINARY ? (byHost.get(service.host) ?? DEFAULT_ZONE) : INTERNAL_ZONE;
      if (zone === INTERNAL_ZONE && !withInternal) continue;
      zones.set(zone, [...(zones.get(zone) ?? []), service]);
    }
    return [...zones.entries()]
      .sort(([a], [b]) => (a === INTERNAL_ZONE ? 1 : b === INTERNAL_ZONE ? -1 : a.localeCompare(b)))
      .map(([name, members]) => ({ name, available: members.some((service) => !service.disabled), services: members }));
  }

  /** Zones a server may be created in: those with an enabled compute service. */
  async availableNames(): Promise<string[]> {
    return (await this.list(false)).filter((zone) => zone.available).map((zone) => zone.name);
  }
}
