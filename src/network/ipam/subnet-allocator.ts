import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { parseCidr, type Cidr } from './ip-address.js';
import { RaceLost } from './ip-allocator.js';
import { PrefixSet } from './prefix-set.js';

/** What a subnet asks of a pool: a given cidr, or any free one of a prefix length. */
export type SubnetRequest = { readonly projectId: string; readonly cidr: Cidr } | { readonly projectId: string; readonly prefixlen: number };

/** Neutron's quota units: IPv4 pools count addresses, IPv6 pools /64s. */
const QUOTA_UNIT_BITS = { 4: 32, 6: 64 } as const;

/**
 * Neutron's SubnetAllocator: cidrs for subnets from a pool's prefixes, never two overlapping. It
 * runs inside the subnet's create transaction and ends with a compare-and-set of the pool's hash,
 * read before the pool's subnets were: a concurrent allocation that committed in between changed
 * the hash, so this one throws RaceLost and withIpamRetry runs the create again on fresh rows.
 */
export class SubnetAllocator {
  constructor(private readonly store: NetworkStore) {}

  async allocate(poolId: string, request: SubnetRequest): Promise<Cidr> {
    const pool = await this.store.subnetPools.find(poolId);
    if (pool === undefined) throw notFound('Subnet pool', poolId, 'SubnetPoolNotFound');
    const version = pool.ip_version === 6 ? 6 : 4;
    const prefixlen = 'cidr' in request ? request.cidr.prefixLength : request.prefixlen;
    if (prefixlen > pool.max_prefixlen) {
      throw badRequest(`Unable to allocate subnet with prefix length ${prefixlen}, maximum allowed prefix is ${pool.max_prefixlen}.`, 'MaxPrefixSubnetAllocationError');
    }
    if (prefixlen < pool.min_prefixlen) {
      throw badRequest(`Unable to allocate subnet with prefix length ${prefixlen}, minimum allowed prefix is ${pool.min_prefixlen}.`, 'MinPrefixSubnetAllocationError');
    }
    const subnets = await this.store.subnets.where('subnetpool_id', [poolId]);
    const unitBits = QUOTA_UNIT_BITS[version];
    const units = (length: number) => 2 ** (unitBits - length);
    if (pool.default_quota !== null && pool.default_quota > 0) {
      const used = subnets.filter((subnet) => subnet.project_id === request.projectId).reduce((sum, subnet) => sum + units(parseCidr(subnet.cidr)?.prefixLength ?? unitBits), 0);
      if (used + units(prefixlen) > pool.default_quota) throw conflict('SubnetPoolQuotaExceeded', 'Per-tenant subnet pool prefix quota exceeded.');
    }
    const prefixes = (JSON.parse(pool.prefixes) as string[]).flatMap((text) => parseCidr(text) ?? []);
    const taken = subnets.flatMap((subnet) => parseCidr(subnet.cidr) ?? []);
    const available = PrefixSet.of(version, prefixes).minus(PrefixSet.of(version, taken));
    const cidr = 'cidr' in request ? specific(available, request.cidr) : any(available, request.prefixlen);
    if (!(await this.store.subnetPoolHashes.swap(poolId, pool.hash, randomUUID()))) throw new RaceLost(`Subnet pool ${poolId} changed during the allocation`);
    return cidr;
  }
}

/** The first free block of the length, from the smallest free blocks that fit (Neutron's order: fragments first). */
function any(available: PrefixSet, prefixlen: number): Cidr {
  const blocks = available.cidrs().sort((a, b) => b.prefixLength - a.prefixLength);
  const block = blocks.find((candidate) => prefixlen >= candidate.prefixLength);
  if (block === undefined) throw allocationError(`Insufficient prefix space to allocate subnet size /${prefixlen}`);
  return { version: block.version, network: block.network, prefixLength: prefixlen };
}

function specific(available: PrefixSet, cidr: Cidr): Cidr {
  if (!available.covers(cidr)) throw allocationError('Cannot allocate requested subnet from the available set of prefixes');
  return cidr;
}

/**
 * Neutron raises SubnetAllocationError, which its fault map does not know, so Zed answers 500 for
 * an exhausted pool; here it is the 409 it describes (the request conflicts with the pool's state).
 */
function allocationError(reason: string) {
  return conflict('SubnetAllocationError', `Failed to allocate subnet: ${reason}.`);
}
