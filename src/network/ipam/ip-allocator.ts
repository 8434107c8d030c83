import { randomInt } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import { badRequest, conflict } from '../errors.js';
import { poolRanges, type AllocationPool } from './allocation-pools.js';
import { cidrContains, eui64Address, formatIp, lastAddress, parseCidr, parseIp } from './ip-address.js';

/** What IPAM needs of a subnet. */
export interface IpamSubnet {
  readonly id: string;
  readonly networkId: string;
  readonly cidr: string;
  readonly allocationPools: readonly AllocationPool[];
  /** slaac or dhcpv6-stateless: addresses are formed from the MAC, not drawn from the pools. */
  readonly ipv6AddressMode: string | null;
}

/** How many free addresses a pick chooses among, so that concurrent requests rarely pick the same one. */
const CANDIDATES = 16;

/**
 * Fixed IPs from a subnet's allocation pools. Each allocation is a row keyed by (network, address),
 * so two concurrent requests for one address cannot both commit on any engine: the loser's insert
 * fails with a unique violation and its caller retries the whole transaction (see withIpamRetry).
 */
export class IpAllocator {
  constructor(private readonly store: NetworkStore) {}

  /** Gives the port a free address of the subnet: 409 IpAddressGenerationFailure when none is left. */
  async allocateAny(subnet: IpamSubnet, portId: string, macAddress: string): Promise<string> {
    const cidr = parseCidr(subnet.cidr);
    if (cidr === undefined) throw new Error(`Stored subnet ${subnet.id} has a bad cidr ${subnet.cidr}`);
    if (cidr.version === 6 && subnet.ipv6AddressMode !== null && subnet.ipv6AddressMode !== 'dhcpv6-stateful') {
      return this.#insert(subnet, portId, formatIp(eui64Address(cidr, macAddress)));
    }
    const taken = new Set((await this.store.ipAllocations.ofSubnet(subnet.id)).map((row) => parseIp(row.ip_address)?.value));
    const free: bigint[] = [];
    for (const range of poolRanges(subnet.allocationPools)) {
      for (let value = range.first; value <= range.last && free.length < CANDIDATES; value += 1n) {
        if (!taken.has(value)) free.push(value);
      }
      if (free.length >= CANDIDATES) break;
    }
    const picked = free[free.length === 0 ? 0 : randomInt(free.length)];
    if (picked === undefined) {
      throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${subnet.networkId}.`);
    }
    return this.#insert(subnet, portId, formatIp({ version: cidr.version, value: picked }));
  }

  /** Gives the port this address of the subnet: 400 when it is not the subnet's, 409 when it is taken. */
  async allocateSpecific(subnet: IpamSubnet, portId: string, ipAddress: string): Promise<string> {
    const cidr = parseCidr(subnet.cidr);
    const address = parseIp(ipAddress);
    const usable =
      cidr !== undefined &&
      address !== undefined &&
      cidrContains(cidr, address) &&
      (cidr.version === 6 || cidr.prefixLength >= 31 || (address.value !== cidr.network && address.value !== lastAddress(cidr)));
    if (!usable) throw badRequest(`IP address ${ipAddress} is not a valid IP for the specified subnet.`, 'InvalidIpForSubnet');
    const text = formatIp(address);
    if ((await this.store.ipAllocations.find(subnet.networkId, text)) !== undefined) {
      throw conflict('IpAddressAlreadyAllocated', `IP address ${text} already allocated in subnet ${subnet.id}`);
    }
    return this.#insert(subnet, portId, text);
  }

  async #insert(subnet: IpamSubnet, portId: string, ipAddress: string): Promise<string> {
    await this.store.ipAllocations.insert({ network_id: subnet.networkId, ip_address: ipAddress, subnet_id: subnet.id, port_id: portId });
    return ipAddress;
  }

  /** Frees the port's addresses (all of them, or those listed). */
  async release(portId: string, ipAddresses?: readonly string[]): Promise<void> {
    await this.store.ipAllocations.deleteOfPort(portId, ipAddresses);
  }
}

/** Thrown inside a withIpamRetry transaction that found its compare-and-set lost (a subnet pool's hash): run it again. */
export class RaceLost extends Error {}

/** Attempts before a request that keeps losing races gives up (each loss means another request won). */
const ATTEMPTS = 20;

/**
 * Runs fn in a transaction, again from the start when it lost a race on a unique key (an address,
 * a MAC, a segmentation id) or a compare-and-set (RaceLost): the whole transaction, because PostgreSQL aborts it at the failed
 * statement and MariaDB's repeatable read would keep showing the stale view.
 */
export async function withIpamRetry<T>(store: NetworkStore, fn: (store: NetworkStore) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.transaction(fn);
    } catch (error) {
      if (attempt >= ATTEMPTS || !(error instanceof RaceLost || store.isUniqueViolation(error))) throw error;
    }
  }
}
