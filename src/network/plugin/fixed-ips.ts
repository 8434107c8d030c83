import { randomBytes } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import { badRequest, conflict } from '../errors.js';
import { IpAllocator } from '../ipam/ip-allocator.js';
import { cidrContains, normalizeIp, parseCidr, parseIp } from '../ipam/ip-address.js';
import { ipamSubnet, type SubnetRow } from './subnets.js';

/** One entry of a port's `fixed_ips` as a request gives it: a subnet, an address, or both. */
export interface FixedIpRequest {
  readonly subnet_id?: string;
  readonly ip_address?: string;
}

export interface FixedIp {
  readonly subnet_id: string;
  readonly ip_address: string;
}

/** OpenStack's MAC prefix (Neutron's base_mac fa:16:3e:00:00:00). */
export function randomMac(): string {
  return ['fa', '16', '3e', ...[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, '0'))].join(':');
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The MAC in Neutron's lower-case form; 400 when it is not a unicast Ethernet address. */
export function checkMac(mac: string): string {
  const lower = mac.toLowerCase();
  if (!MAC.test(lower) || lower === '00:00:00:00:00:00' || (Number.parseInt(lower.slice(0, 2), 16) & 1) === 1) {
    throw badRequest(`Invalid input for mac_address. Reason: '${mac}' is not a valid MAC address.`, 'HTTPBadRequest');
  }
  return lower;
}

/**
 * Gives a port its addresses on the network: those asked for, or by default one from the first
 * IPv4 subnet and one from the first IPv6 subnet, as Neutron does.
 */
export async function allocateFixedIps(
  store: NetworkStore,
  networkId: string,
  portId: string,
  mac: string,
  requested: readonly FixedIpRequest[] | undefined,
): Promise<FixedIp[]> {
  const subnets = await store.subnets.where('network_id', [networkId]);
  const allocator = new IpAllocator(store);
  if (requested === undefined) {
    const firsts = [4, 6].flatMap((version) => subnets.filter((subnet) => subnet.ip_version === version).slice(0, 1));
    const fixed: FixedIp[] = [];
    for (const subnet of firsts) fixed.push({ subnet_id: subnet.id, ip_address: await allocator.allocateAny(ipamSubnet(subnet), portId, mac) });
    return fixed;
  }
  const fixed: FixedIp[] = [];
  for (const entry of requested) {
    const subnet = subnetFor(subnets, networkId, entry);
    const address =
      entry.ip_address === undefined
        ? await allocator.allocateAny(ipamSubnet(subnet), portId, mac)
        : await allocator.allocateSpecific(ipamSubnet(subnet), portId, entry.ip_address);
    fixed.push({ subnet_id: subnet.id, ip_address: address });
  }
  return fixed;
}

/** The subnet an entry names or whose cidr holds its address: 400 when there is none on the network. */
function subnetFor(subnets: readonly SubnetRow[], networkId: string, entry: FixedIpRequest): SubnetRow {
  if (entry.subnet_id !== undefined) {
    const subnet = subnets.find((candidate) => candidate.id === entry.subnet_id);
    if (subnet === undefined) {
      throw badRequest(`Invalid input for operation: Failed to create port on network ${networkId}, because fixed_ips included invalid subnet ${entry.subnet_id}.`, 'InvalidInput');
    }
    return subnet;
  }
  const address = entry.ip_address === undefined ? undefined : parseIp(entry.ip_address);
  if (address === undefined) throw badRequest(`Invalid input for operation: IP address ${String(entry.ip_address)} is not a valid IP address.`, 'InvalidInput');
  const subnet = subnets.find((candidate) => {
    const cidr = parseCidr(candidate.cidr);
    return cidr !== undefined && cidrContains(cidr, address);
  });
  if (subnet === undefined) throw badRequest(`IP address ${entry.ip_address} is not a valid IP for any of the subnets on the specified network.`, 'InvalidIpForNetwork');
  return subnet;
}

/**
 * Moves a port from its current addresses to those requested: addresses it keeps stay, the rest
 * are released and new ones allocated.
 */
export async function replaceFixedIps(
  store: NetworkStore,
  networkId: string,
  portId: string,
  mac: string,
  current: readonly FixedIp[],
  requested: readonly FixedIpRequest[],
): Promise<void> {
  const kept = current.filter((ip) =>
    requested.some((entry) => entry.ip_address !== undefined && normalizeIp(entry.ip_address) === ip.ip_address && (entry.subnet_id ?? ip.subnet_id) === ip.subnet_id),
  );
  const released = current.filter((ip) => !kept.includes(ip)).map((ip) => ip.ip_address);
  await new IpAllocator(store).release(portId, released);
  const fresh = requested.filter((entry) => !kept.some((ip) => entry.ip_address !== undefined && normalizeIp(entry.ip_address) === ip.ip_address));
  if (fresh.length > 0) await allocateFixedIps(store, networkId, portId, mac, fresh);
}

/** 409 MacAddressInUse when another port of the network has the MAC. */
export async function refuseMacInUse(store: NetworkStore, networkId: string, mac: string): Promise<void> {
  const ports = await store.ports.where('mac_address', [mac]);
  if (ports.some((port) => port.network_id === networkId)) {
    throw conflict('MacAddressInUse', `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`);
  }
}
