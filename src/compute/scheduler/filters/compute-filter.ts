/** ComputeFilter: only hosts whose nova-compute service is up and enabled. */
import { PASS, reject, type HostFilter } from './filter.js';

export const computeFilter: HostFilter = {
  name: 'ComputeFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 0,
  hostPasses(host) {
    if (host.serviceDisabled) return reject(`${host.host} is disabled, reason: ${host.disabledReason ?? ''}`);
    if (host.forcedDown) return reject(`${host.host} is forced down`);
    if (!host.serviceUp) return reject(`${host.host} has not been heard from in a while`);
    return PASS;
  },
};
