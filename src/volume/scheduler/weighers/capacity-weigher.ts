import type { BackendState } from '../backend-state.js';

/** A weigher: a raw weight, higher wins before normalisation and the multiplier. */
export interface BackendWeigher {
  readonly name: string;
  /** Cinder's default multiplier (`capacity_weight_multiplier` 1.0: spread; negative stacks). */
  readonly defaultMultiplier: number;
  readonly weigh: (backend: Readonly<BackendState>) => number;
}

/**
 * Cinder's CapacityWeigher: the free space, virtual on a thin backend (total × ratio −
 * provisioned − reserved), so the emptiest backend wins.
 */
export const capacityWeigher: BackendWeigher = {
  name: 'CapacityWeigher',
  defaultMultiplier: 1,
  weigh: (backend) => {
    const reserved = Math.floor((backend.totalCapacityGb * backend.reservedPercentage) / 100);
    if (backend.thinProvisioningSupport && backend.maxOverSubscriptionRatio >= 1) {
      return backend.totalCapacityGb * backend.maxOverSubscriptionRatio - backend.provisionedCapacityGb - reserved;
    }
    return backend.freeCapacityGb - reserved;
  },
};
