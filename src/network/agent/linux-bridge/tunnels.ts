/**
 * VXLAN tunnels as Neutron's Linux bridge agent lays them with l2population: a `vxlan-<vni>`
 * device per network on the network's bridge, from this host's tunnel endpoint (`local_ip`) to
 * UDP port 4789, and the forwarding entries the server names:
 * - a flooding entry (`00:00:00:00:00:00 dst <peer>`) per other host holding the network, so
 *   broadcast and unknown unicast reach exactly those hosts (head-end replication, no multicast);
 * - a unicast entry (`<mac> dst <peer>`) per port on another host, so a frame to a known guest
 *   goes to its host alone;
 * - with the ARP responder (`proxy` on the device, Neutron's `[vxlan] arp_responder`), a
 *   permanent neighbour entry per address of those ports (`ip neigh … lladdr <mac> dev
 *   vxlan-<vni>`): the kernel answers ARP and neighbour solicitations for them on this host, and
 *   such a request never crosses the tunnels (one for an address it does not know is dropped).
 * Learning is off (`nolearning`): with it, a frame from a host the server no longer names would
 * teach its address back, and traffic would go on to a host that left the network.
 */
import type { RemotePortSpec } from '../datapath-spec.js';
import type { TunnelEntries } from '../tunnel-entries.js';
import { attach, linkExists } from './links.js';
import { ip, run, tryRun } from './exec.js';

const VXLAN_PORT = '4789';
const FLOOD_MAC = '00:00:00:00:00:00';

interface FdbEntry {
  readonly mac: string;
  readonly dst?: string;
}

interface NeighbourEntry {
  readonly dst: string;
  readonly lladdr?: string;
  readonly state?: readonly string[];
}

/** The VXLAN device exists from `localIp`, with the network's MTU, on the bridge and up; `arpResponder` makes it answer for the addresses in its neighbour table. */
export async function ensureVxlan(device: string, vni: number, localIp: string, bridge: string, mtu: number, arpResponder: boolean): Promise<void> {
  if (!(await linkExists(device))) {
    await ip('link', 'add', device, 'type', 'vxlan', 'id', String(vni), 'local', localIp, 'dstport', VXLAN_PORT, 'nolearning', ...(arpResponder ? ['proxy'] : []));
  }
  await attach(device, bridge, mtu);
}

async function fdbEntries(device: string): Promise<FdbEntry[]> {
  return JSON.parse(await run('bridge', ['-j', 'fdb', 'show', 'dev', device])) as FdbEntry[];
}

const key = (mac: string, dst: string): string => `${mac} ${dst}`;

/**
 * The device floods to exactly these peers and sends each remote port's MAC to its host alone;
 * any other entry with a destination (an earlier peer's, a port that left or moved) goes.
 */
export async function setForwardingEntries(device: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void> {
  const entries = await fdbEntries(device);
  const present = new Set(entries.filter((entry) => entry.dst !== undefined).map((entry) => key(entry.mac, entry.dst ?? '')));
  const wanted = new Set([...peers.map((peer) => key(FLOOD_MAC, peer)), ...ports.map((port) => key(port.mac_address, port.tunnel_ip))]);
  for (const peer of peers) if (!present.has(key(FLOOD_MAC, peer))) await run('bridge', ['fdb', 'append', FLOOD_MAC, 'dev', device, 'dst', peer]);
  // `replace` moves a MAC whose port went to another host in one step.
  for (const port of ports) if (!present.has(key(port.mac_address, port.tunnel_ip))) await run('bridge', ['fdb', 'replace', port.mac_address, 'dev', device, 'dst', port.tunnel_ip]);
  for (const entry of entries) {
    if (entry.dst === undefined || wanted.has(key(entry.mac, entry.dst))) continue;
    await tryRun('bridge', ['fdb', 'del', entry.mac, 'dev', device, 'dst', entry.dst]);
  }
}

/** Each address of the ports, answered with its port's MAC. */
const answers = (ports: readonly RemotePortSpec[]): Map<string, string> => new Map(ports.flatMap((port) => port.ip_addresses.map((address) => [address, port.mac_address] as const)));

/** The device's permanent neighbour entries (the ARP responder's answers) become exactly the remote ports' addresses. */
export async function setResponderEntries(device: string, ports: readonly RemotePortSpec[]): Promise<void> {
  const entries = JSON.parse(await run('ip', ['-j', 'neigh', 'show', 'dev', device, 'nud', 'permanent'])) as NeighbourEntry[];
  const present = new Map(entries.map((entry) => [entry.dst, entry.lladdr]));
  const wanted = answers(ports);
  for (const [address, mac] of wanted) {
    if (present.get(address) !== mac) await run('ip', ['neigh', 'replace', address, 'lladdr', mac, 'dev', device, 'nud', 'permanent']);
  }
  for (const address of present.keys()) if (!wanted.has(address)) await tryRun('ip', ['neigh', 'del', address, 'dev', device]);
}

/**
 * The device's entries go from `before` to `after` (add_fdb_entries, remove_fdb_entries), where
 * `before` is what setForwardingEntries and setResponderEntries, or earlier changes, last made:
 * only the entries that differ are touched, and the kernel's tables are not read back.
 */
export async function changeTunnelEntries(device: string, before: TunnelEntries, after: TunnelEntries, arpResponder: boolean): Promise<void> {
  for (const peer of after.peers) if (!before.peers.includes(peer)) await run('bridge', ['fdb', 'append', FLOOD_MAC, 'dev', device, 'dst', peer]);
  const had = new Set(before.ports.map((port) => key(port.mac_address, port.tunnel_ip)));
  const has = new Set(after.ports.map((port) => key(port.mac_address, port.tunnel_ip)));
  // `replace` first, so a port that moved goes to its new host in one step; its old entry is then already gone.
  for (const port of after.ports) if (!had.has(key(port.mac_address, port.tunnel_ip))) await run('bridge', ['fdb', 'replace', port.mac_address, 'dev', device, 'dst', port.tunnel_ip]);
  for (const port of before.ports) if (!has.has(key(port.mac_address, port.tunnel_ip))) await tryRun('bridge', ['fdb', 'del', port.mac_address, 'dev', device, 'dst', port.tunnel_ip]);
  for (const peer of before.peers) if (!after.peers.includes(peer)) await tryRun('bridge', ['fdb', 'del', FLOOD_MAC, 'dev', device, 'dst', peer]);
  if (!arpResponder) return;
  const [was, now] = [answers(before.ports), answers(after.ports)];
  for (const [address, mac] of now) if (was.get(address) !== mac) await run('ip', ['neigh', 'replace', address, 'lladdr', mac, 'dev', device, 'nud', 'permanent']);
  for (const address of was.keys()) if (!now.has(address)) await tryRun('ip', ['neigh', 'del', address, 'dev', device]);
}
