/**
 * The verbs a network agent answers on `q-agent.<host>` (Neutron's agent notifier topics, one
 * per host): each carries the whole desired state of its object, so the agent applies it with
 * one idempotent data path call, but for l2population's changes (add_fdb_entries,
 * remove_fdb_entries, update_fdb_entries), which carry one port's entries as Neutron's do. All
 * are casts; the agent reports port status back through the server's API (server/rpc-api.ts).
 */
import type { MacAddressPair, NetworkSpec, PortSpec, SecurityGroupSpec } from './datapath-spec.js';
import type { RouterState, TunnelPeers } from '../server/rpc-api.js';

export const AGENT_TOPIC = 'q-agent';
/** 1.1: add_fdb_entries and remove_fdb_entries. 1.2: update_fdb_entries. */
export const AGENT_API_VERSION = '1.2';

/** The addresses one endpoint's ports lost and gained (either may be absent, as in Neutron). */
export interface AddressChangeEntry {
  readonly before?: readonly MacAddressPair[];
  readonly after?: readonly MacAddressPair[];
}

/** Neutron's update_fdb_entries as l2population sends it after a fixed IP change: `{chg_ip: {<network id>: {<endpoint>: {before, after}}}}`. */
export interface UpdateFdbEntries {
  readonly chg_ip: Readonly<Record<string, Readonly<Record<string, AddressChangeEntry>>>>;
}

/** The closed table of verbs, by wire name. */
export interface AgentVerbs {
  /** The network's subnets or DHCP changed: applied where the host holds it. */
  network_update: { readonly network: NetworkSpec };
  network_delete: { readonly network_id: string };
  /** The port is bound to this host (new, or changed): its network and groups first, then the port. */
  port_update: { readonly port: PortSpec; readonly network: NetworkSpec; readonly security_groups: readonly SecurityGroupSpec[] };
  /** The VXLAN network's whole l2population table (a host that just came to hold it, a router's ends that came or went): this host floods to exactly these peers and sends exactly these ports to their hosts. */
  tunnel_peers_update: TunnelPeers;
  /** Neutron's add_fdb_entries: one port arrived on (or changed on) another host holding the network; `peers` names that host's endpoint when it joined. */
  add_fdb_entries: TunnelPeers;
  /** Neutron's remove_fdb_entries: one port left another host; `peers` names that host's endpoint when it no longer holds the network. */
  remove_fdb_entries: TunnelPeers;
  /** Neutron's update_fdb_entries: a port on another host changed its fixed IPs there; the addresses answered for its MAC follow. */
  update_fdb_entries: UpdateFdbEntries;
  /** The port left this host (deleted, unbound, or bound elsewhere). */
  port_delete: { readonly port_id: string; readonly network_id: string };
  security_group_update: { readonly group: SecurityGroupSpec };
  security_group_delete: { readonly group_id: string };
  /** On the l3 host: the router, its networks and floating IPs. */
  router_update: RouterState;
  router_delete: { readonly router_id: string };
}
