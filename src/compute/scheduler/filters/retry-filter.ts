/** RetryFilter: a rescheduled build skips the hosts where it already failed. */
import { PASS, reject, type HostFilter } from './filter.js';

export const retryFilter: HostFilter = {
  name: 'RetryFilter',
  runOnRebuild: false,
  runOncePerRequest: false,
  cost: 0,
  hostPasses(host, spec) {
    if (!spec.retry?.hosts.includes(host.host)) return PASS;
    return reject(`Host ${host.host} fails. Previously tried hosts: ${spec.retry.hosts.join(', ')}`);
  },
};
