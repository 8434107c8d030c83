/**
 * ServerGroupAntiAffinityFilter: fewer than `max_server_per_host` (default 1) members of an
 * `anti-affinity` group on the host.
 */
import type { HostState } from '../host-state.js';
import type { ServerGroupSpec } from '../request-spec.js';
import { PASS, reject, type HostFilter } from './filter.js';

/** Members on the host, walking whichever of the two sets is smaller. */
export function groupMembersOn(host: Readonly<HostState>, group: Readonly<ServerGroupSpec>): number {
  let count = 0;
  if (host.instances.size <= group.members.size) {
    for (const uuid of host.instances) if (group.members.has(uuid)) count += 1;
  } else {
    for (const uuid of group.members) if (host.instances.has(uuid)) count += 1;
  }
  return count;
}

export const serverGroupAntiAffinityFilter: HostFilter = {
  name: 'ServerGroupAntiAffinityFilter',
  runOnRebuild: false,
  runOncePerRequest: false,
  cost: 2,
  hostPasses(host, spec) {
    const group = spec.serverGroup;
    if (group?.policy !== 'anti-affinity') return PASS;
    // A move may re-check the host the instance is already on; it must not count itself.
    if (spec.instanceUuid !== undefined && host.instances.has(spec.instanceUuid)) return PASS;
    const max = group.rules.maxServerPerHost ?? 1;
    const onHost = groupMembersOn(host, group);
    if (onHost < max) return PASS;
    return reject(`${host.host} already runs ${onHost} of max ${max} members of anti-affinity group ${group.uuid}`);
  },
};
