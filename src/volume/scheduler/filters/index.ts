/** The explicit filter registry: Cinder's filter class names → implementations. */
import { availabilityZoneFilter } from './availability-zone-filter.js';
import { capabilitiesFilter } from './capabilities-filter.js';
import { capacityFilter } from './capacity-filter.js';
import type { BackendFilter } from './filter.js';

export type { BackendFilter, FilterResult } from './filter.js';

export const FILTERS: ReadonlyMap<string, BackendFilter> = new Map([availabilityZoneFilter, capacityFilter, capabilitiesFilter].map((filter) => [filter.name, filter]));

/** Cinder's `scheduler_default_filters`. */
export const DEFAULT_FILTERS: readonly string[] = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'];

export function resolveFilters(names: readonly string[]): BackendFilter[] {
  return names.map((name) => {
    const filter = FILTERS.get(name);
    if (!filter) throw new Error(`Unknown volume scheduler filter '${name}'; known: ${[...FILTERS.keys()].join(', ')}`);
    return filter;
  });
}
