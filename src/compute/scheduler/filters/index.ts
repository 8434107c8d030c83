/** The explicit filter registry: Nova's filter class names → implementations. */
import { aggregateInstanceExtraSpecsFilter } from './aggregate-instance-extra-specs-filter.js';
import { availabilityZoneFilter } from './availability-zone-filter.js';
import { computeCapabilitiesFilter } from './compute-capabilities-filter.js';
import { computeFilter } from './compute-filter.js';
import { coreFilter } from './core-filter.js';
import { differentHostFilter } from './different-host-filter.js';
import { diskFilter } from './disk-filter.js';
import type { HostFilter } from './filter.js';
import { imagePropertiesFilter } from './image-properties-filter.js';
import { ramFilter } from './ram-filter.js';
import { retryFilter } from './retry-filter.js';
import { sameHostFilter } from './same-host-filter.js';
import { serverGroupAffinityFilter } from './server-group-affinity-filter.js';
import { serverGroupAntiAffinityFilter } from './server-group-anti-affinity-filter.js';

export type { FilterResult, HostFilter } from './filter.js';

export const FILTERS: ReadonlyMap<string, HostFilter> = new Map(
  [
    retryFilter,
    availabilityZoneFilter,
    computeFilter,
    ramFilter,
    coreFilter,
    diskFilter,
    computeCapabilitiesFilter,
    imagePropertiesFilter,
    serverGroupAffinityFilter,
    serverGroupAntiAffinityFilter,
    sameHostFilter,
    differentHostFilter,
    aggregateInstanceExtraSpecsFilter,
  ].map((filter) => [filter.name, filter]),
);

/** `[filter_scheduler] enabled_filters` default: Nova's, plus the resource filters placement replaced. */
export const DEFAULT_ENABLED_FILTERS: readonly string[] = [
  'RetryFilter',
  'AvailabilityZoneFilter',
  'ComputeFilter',
  'RamFilter',
  'CoreFilter',
  'DiskFilter',
  'ComputeCapabilitiesFilter',
  'ImagePropertiesFilter',
  'ServerGroupAntiAffinityFilter',
  'ServerGroupAffinityFilter',
  'SameHostFilter',
  'DifferentHostFilter',
];

/**
 * Resolves configured names, cheapest first (stable for equal cost). Throws at start on a name
 * that is not registered, listing the ones that are.
 */
export function resolveFilters(names: readonly string[]): HostFilter[] {
  const resolved = names.map((name) => {
    const filter = FILTERS.get(name);
    if (!filter) throw new Error(`Unknown scheduler filter '${name}' in enabled_filters; known: ${[...FILTERS.keys()].join(', ')}`);
    return filter;
  });
  return [...new Set(resolved)].sort((a, b) => a.cost - b.cost);
}
