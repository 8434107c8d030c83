/** CoreFilter: free vCPUs under cpu_allocation_ratio cover the flavor. */
import { checkCores } from '../resources.js';
import { resultOf, type HostFilter } from './filter.js';

export const coreFilter: HostFilter = {
  name: 'CoreFilter',
  runOnRebuild: false,
  runOncePerRequest: false,
  cost: 1,
  hostPasses: (host, spec) => resultOf(checkCores(host, spec.flavor.vcpus)),
};
