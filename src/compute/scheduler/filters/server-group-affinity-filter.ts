/** ServerGroupAffinityFilter: an `affinity` group's members all share the group's host. */
import { PASS, reject, type HostFilter } from './filter.js';

export const serverGroupAffinityFilter: HostFilter = {
  name: 'ServerGroupAffinityFilter',
  runOnRebuild: false,
  // Earlier instances of the same request add their host to the group.
  runOncePerRequest: false,
  cost: 2,
  hostPasses(host, spec) {
    const group = spec.serverGroup;
    // An empty group may start anywhere.
    if (group?.policy !== 'affinity' || group.hosts.size === 0 || group.hosts.has(host.host)) return PASS;
    return reject(`${host.host} is not among the hosts of affinity group ${group.uuid}: ${[...group.hosts].join(', ')}`);
  },
};
