/** ServerGroupSoftAntiAffinityWeigher: for `soft-anti-affinity` groups, hosts with fewer members win. */
import { groupMembersOn } from '../filters/server-group-anti-affinity-filter.js';
import type { HostWeigher } from './weigher.js';

export const serverGroupSoftAntiAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAntiAffinityWeigher',
  defaultMultiplier: 1.0,
  weigh: (host, spec) => (spec.serverGroup?.policy === 'soft-anti-affinity' ? -groupMembersOn(host, spec.serverGroup) : 0),
};
