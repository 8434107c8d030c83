/**
 * A VXLAN network's l2population entries as a data path holds them (the peers it floods to, the
 * remote ports whose MACs go to one endpoint), and how Neutron's add_fdb_entries,
 * remove_fdb_entries and update_fdb_entries (chg_ip) change them: the server names one port (and
 * its host's endpoint when that host joined or left the network), or one port's addresses that
 * came and went, instead of the whole table. Sorted as the server sorts a full set, so a table
 * built from changes equals the one a resync would send.
 */
import type { RemotePortSpec, TunnelAddressChange } from './datapath-spec.js';

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

/**
 * update_fdb_entries' chg_ip: behind the change's endpoint, each `before` address no longer
 * answers for its MAC and each `after` one does. A MAC not yet known there (a message missed)
 * becomes that endpoint's entry, as add_fdb_entries would make it.
 */
export function withChangedAddresses(current: TunnelEntries, change: TunnelAddressChange): TunnelEntries {
  const gone = new Set(change.before.map(([mac, address]) => `${mac} ${address}`));
  const added = new Map<string, string[]>();
  for (const [mac, address] of change.after) added.set(mac, [...(added.get(mac) ?? []), address]);
  // Addresses sorted as the server's table lists them (by address).
  const addresses = (kept: readonly string[], extra: readonly string[]) => [...new Set([...kept, ...extra])].sort();
  const ports = current.ports.map((port): RemotePortSpec => {
    if (port.tunnel_ip !== change.tunnel_ip) return port;
    const extra = added.get(port.mac_address) ?? [];
    added.delete(port.mac_address);
    return { ...port, ip_addresses: addresses(port.ip_addresses.filter((address) => !gone.has(`${port.mac_address} ${address}`)), extra) };
  });
  const unknown = [...added].map(([mac, extra]): RemotePortSpec => ({ mac_address: mac, ip_addresses: addresses([], extra), tunnel_ip: change.tunnel_ip }));
  return withTunnelEntries(sorted(current.peers, ports), [], unknown);
}
