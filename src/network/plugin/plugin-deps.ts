import type { NetworkStore } from '../db/network-store.js';
import type { QuotaLimits } from './quotas.js';
import type { SegmentConfig } from './segments.js';

/** What the resource plugins share. */
export interface PluginDeps {
  readonly store: NetworkStore;
  readonly segments: SegmentConfig;
  /** MTU of the physical networks (Neutron's global_physnet_mtu). */
  readonly physnetMtu: number;
  readonly quotaDefaults: QuotaLimits;
}
