import { PASS, reject, type BackendFilter } from './filter.js';

/**
 * Cinder's CapacityFilter: free space less the reserved share must hold the volume. On a thin
 * backend what is provisioned after it must stay within max_over_subscription_ratio of the total,
 * and the free space counts that many times over.
 */
export const capacityFilter: BackendFilter = {
  name: 'CapacityFilter',
  backendPasses: (backend, spec) => {
    const total = backend.totalCapacityGb;
    const reserved = Math.floor((total * backend.reservedPercentage) / 100);
    const free = backend.freeCapacityGb - reserved;
    if (total <= 0 || free <= 0) return reject(`no free space (${backend.freeCapacityGb}GB free, ${reserved}GB reserved)`);
    if (backend.thinProvisioningSupport && backend.maxOverSubscriptionRatio >= 1) {
      const ratio = (backend.provisionedCapacityGb + spec.sizeGb) / total;
      if (ratio > backend.maxOverSubscriptionRatio) {
        return reject(`provisioning ${spec.sizeGb}GB would pass the over-subscription ratio ${backend.maxOverSubscriptionRatio}`);
      }
      const virtualFree = free * backend.maxOverSubscriptionRatio;
      return virtualFree >= spec.sizeGb ? PASS : reject(`${spec.sizeGb}GB requested, ${virtualFree}GB virtually free`);
    }
    return free >= spec.sizeGb ? PASS : reject(`${spec.sizeGb}GB requested, ${free}GB free`);
  },
};
