/**
 * VXLAN tunnels as Neutron's Linux bridge agent lays them: a `vxlan-<vni>` device per network on
 * the network's bridge, from this host's tunnel endpoint (`local_ip`) to UDP port 4789, and
 * l2population's flooding entries (`00:00:00:00:00:00 dst <peer>`), one per other host holding
 * the network, so frames reach exactly those hosts (head-end replication, no multicast group).
 * Learning is off (`nolearning`): with it, a frame from a host the server no longer names would
 * teach its address back, and traffic would go on to a host that left the network; without it,
 * only the hosts the server names are ever sent to. The cost: without Neutron's per-port MAC
 * entries, unicast is sent to every peer of the network, not only to the guest's host.
 */
import { attach, linkExists } from './links.js';
import { ip, run, tryRun } from './exec.js';

const VXLAN_PORT = '4789';
const FLOOD_MAC = '00:00:00:00:00:00';

interface FdbEntry {
  readonly mac: string;
  readonly dst?: string;
}

/** The VXLAN device exists from `localIp`, with the network's MTU, on the bridge and up. */
export async function ensureVxlan(device: string, vni: number, localIp: string, bridge: string, mtu: number): Promise<void> {
  if (!(await linkExists(device))) await ip('link', 'add', device, 'type', 'vxlan', 'id', String(vni), 'local', localIp, 'dstport', VXLAN_PORT, 'nolearning');
  await attach(device, bridge, mtu);
}

async function fdbEntries(device: string): Promise<FdbEntry[]> {
  return JSON.parse(await run('bridge', ['-j', 'fdb', 'show', 'dev', device])) as FdbEntry[];
}

/** The device floods to exactly these peers; any other entry (an earlier peer's) goes. */
export async function setFloodPeers(device: string, peers: readonly string[]): Promise<void> {
  const entries = await fdbEntries(device);
  const flooding = new Set(entries.filter((entry) => entry.mac === FLOOD_MAC && entry.dst !== undefined).map((entry) => entry.dst));
  for (const peer of peers) if (!flooding.has(peer)) await run('bridge', ['fdb', 'append', FLOOD_MAC, 'dev', device, 'dst', peer]);
  const wanted = new Set(peers);
  for (const entry of entries) {
    if (entry.dst === undefined || wanted.has(entry.dst)) continue;
    await tryRun('bridge', ['fdb', 'del', entry.mac, 'dev', device, 'dst', entry.dst]);
  }
}
