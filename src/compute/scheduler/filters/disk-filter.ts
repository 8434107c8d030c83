/** DiskFilter: free local disk under disk_allocation_ratio covers root + ephemeral + swap. */
import { requestedDiskMb } from '../request-spec.js';
import { checkDisk } from '../resources.js';
import { resultOf, type HostFilter } from './filter.js';

export const diskFilter: HostFilter = {
  name: 'DiskFilter',
  runOnRebuild: false,
  runOncePerRequest: false,
  cost: 1,
  hostPasses: (host, spec) => resultOf(checkDisk(host, requestedDiskMb(spec))),
};
