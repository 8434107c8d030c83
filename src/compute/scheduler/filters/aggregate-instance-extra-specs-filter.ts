/**
 * AggregateInstanceExtraSpecsFilter: flavor extra specs in the `aggregate_instance_extra_specs:`
 * scope (or unscoped) must match the metadata of one of the host's aggregates.
 */
import type { HostState } from '../host-state.js';
import { matchesExtraSpec } from '../../../common/scheduling/extra-specs-ops.js';
import { PASS, reject, type HostFilter } from './filter.js';

const SCOPE = 'aggregate_instance_extra_specs';

function aggregateValues(host: Readonly<HostState>, key: string): string[] {
  const values: string[] = [];
  for (const aggregate of host.aggregates) {
    const value = aggregate.metadata[key];
    if (value !== undefined) values.push(value);
  }
  return values;
}

export const aggregateInstanceExtraSpecsFilter: HostFilter = {
  name: 'AggregateInstanceExtraSpecsFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 3,
  hostPasses(host, spec) {
    for (const [fullKey, requirement] of Object.entries(spec.flavor.extraSpecs)) {
      const separator = fullKey.indexOf(':');
      if (separator >= 0 && fullKey.slice(0, separator) !== SCOPE) continue;
      const key = separator >= 0 ? fullKey.slice(separator + 1) : fullKey;
      const values = aggregateValues(host, key);
      if (values.length === 0) return reject(`${host.host} is in no aggregate with metadata key ${key}`);
      if (!values.some((value) => matchesExtraSpec(value, requirement))) {
        return reject(`${host.host}: '${requirement}' matches no aggregate value of ${key} (${values.join(', ')})`);
      }
    }
    return PASS;
  },
};
