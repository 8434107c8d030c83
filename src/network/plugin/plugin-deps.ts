import type { NetworkStore } from '../db/network-store.js';
import type { QuotaLimits } from './quotas.js';
import type { SegmentConfig } from './segments.js';

/** The network a port is bound on, as the mechanism driver checks it against the host's agent. */
export interface BindingSegment {
  readonly network_type: string;
  readonly physical_network: string | null;
}

/** A host's answer for a segment: why it cannot bind it (one sentence), or the bridge its agent maps the segment's physical network to, if any. */
export type HostBinding = { readonly failure: string } | { readonly failure?: undefined; readonly bridge?: string };

/** Which hosts ports can be bound to: those with a live network agent that reaches the network's segment. */
export interface BindingHosts {
  bind(host: string, segment: BindingSegment): Promise<HostBinding>;
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
