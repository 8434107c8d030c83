/**
 * A VXLAN network's l2population entries as a data path holds them (the peers it floods to, the
 * remote ports whose MACs go to one endpoint), and how Neutron's add_fdb_entries and
 * remove_fdb_entries change them: the server names one port (and its host's endpoint when that
 * host joined or left the network) instead of the whole table. Sorted as the server sorts a full
 * set, so a table built from changes equals the one a resync would send.
 */
import type { RemotePortSpec } from './datapath-spec.js';

export interface TunnelEntries {
  readonly peers: readonly string[];
  readonly ports: readonly RemotePortSpec[];
}

export const NO_TUNNEL_ENTRIES: TunnelEntries = { peers: [], ports: [] };

const sorted = (peers: Iterable<string>, ports: readonly RemotePortSpec[]): TunnelEntries => ({
  peers: [...new Set(peers)].sort(),
  ports: [...ports].sort((a, b) => a.mac_address.localeCompare(b.mac_address)),
});

/** add_fdb_entries: also flood to `peers`; each port's MAC goes to its endpoint with its addresses, in place of wherever it went before (a port that moved). */
export function withTunnelEntries(current: TunnelEntries, peers: readonly string[], ports: readonly RemotePortSpec[]): TunnelEntries {
  const named = new Set(ports.map((port) => port.mac_address));
  return sorted([...current.peers, ...peers], [...current.ports.filter((port) => !named.has(port.mac_address)), ...ports]);
}

/** remove_fdb_entries: flood no more to `peers`; each port goes where it still points at the same endpoint (one that moved since stays where it went). */
export function withoutTunnelEntries(current: TunnelEntries, peers: readonly string[], ports: readonly RemotePortSpec[]): TunnelEntries {
  const gone = new Set(ports.map((port) => `${port.mac_address} ${port.tunnel_ip}`));
  return sorted(
    current.peers.filter((peer) => !peers.includes(peer)),
    current.ports.filter((port) => !gone.has(`${port.mac_address} ${port.tunnel_ip}`)),
  );
}
