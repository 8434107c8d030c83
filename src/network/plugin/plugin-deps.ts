import type { NetworkStore } from '../db/network-store.js';
import type { QuotaLimits } from './quotas.js';
import type { SegmentConfig } from './segments.js';

/** The network a port is bound on, as the mechanism driver checks it against the host's agent. */
export interface BindingSegment {
  readonly network_type: string;
  readonly physical_network: string | null;
}

/** Which hosts ports can be bound to: those with a live network agent that reaches the network's segment. */
export interface BindingHosts {
  /** Undefined when a port of the segment can be bound to the host; otherwise why not, in one sentence. */
  bindingFailure(host: string, segment: BindingSegment): Promise<string | undefined>;
}

/** What the resource plugins share. */
export interface PluginDeps {
  readonly store: NetworkStore;
  readonly segments: SegmentConfig;
  /** MTU of the physical networks (Neutron's global_physnet_mtu). */
  readonly physnetMtu: number;
  readonly quotaDefaults: QuotaLimits;
  /** Absent: every host binds (an API without agents, in route tests). */
  readonly bindingHosts?: BindingHosts;
  /** Seconds after its last report an agent counts as down (Neutron's agent_down_time). */
  readonly agentDownTimeSeconds?: number;
}
