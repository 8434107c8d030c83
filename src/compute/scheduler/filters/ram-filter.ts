/** RamFilter: free RAM under ram_allocation_ratio covers the flavor. */
import { checkRam } from '../resources.js';
import { resultOf, type HostFilter } from './filter.js';

export const ramFilter: HostFilter = {
  name: 'RamFilter',
  runOnRebuild: false,
  runOncePerRequest: false,
  cost: 1,
  hostPasses: (host, spec) => resultOf(checkRam(host, spec.flavor.memoryMb)),
};
