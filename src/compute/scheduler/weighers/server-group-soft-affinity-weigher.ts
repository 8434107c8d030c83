/** ServerGroupSoftAffinityWeigher: for `soft-affinity` groups, hosts with more members win. */
import { groupMembersOn } from '../filters/server-group-anti-affinity-filter.js';
import type { HostWeigher } from './weigher.js';

export const serverGroupSoftAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAffinityWeigher',
  defaultMultiplier: 1.0,
  weigh: (host, spec) => (spec.serverGroup?.policy === 'soft-affinity' ? groupMembersOn(host, spec.serverGroup) : 0),
};
