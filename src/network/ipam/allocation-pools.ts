import { badRequest, conflict } from '../errors.js';
import { cidrContains, formatIp, lastAddress, parseIp, type Cidr } from './ip-address.js';

/** A pool as the API shows it. */
export interface AllocationPool {
  readonly start: string;
  readonly end: string;
}

/** A pool as numbers. */
export interface AddressRange {
  readonly first: bigint;
  readonly last: bigint;
}

/**
 * Neutron's default pools: the whole subnet but its network address (and IPv4's broadcast), with
 * the gateway cut out (which may split the range in two).
 */
export function defaultPools(cidr: Cidr, gateway: bigint | undefined): AllocationPool[] {
  const first = cidr.network + (cidr.prefixLength >= (cidr.version === 4 ? 31 : 127) ? 0n : 1n);
  const last = lastAddress(cidr) - (cidr.version === 4 && cidr.prefixLength < 31 ? 1n : 0n);
  let ranges: AddressRange[] = first <= last ? [{ first, last }] : [];
  if (gateway !== undefined) {
    ranges = ranges.flatMap((range) => {
      if (gateway < range.first || gateway > range.last) return [range];
      return [
        { first: range.first, last: gateway - 1n },
        { first: gateway + 1n, last: range.last },
      ].filter((piece) => piece.first <= piece.last);
    });
  }
  return ranges.map((range) => toPool(cidr.version, range));
}

function toPool(version: 4 | 6, range: AddressRange): AllocationPool {
  return { start: formatIp({ version, value: range.first }), end: formatIp({ version, value: range.last }) };
}

/** The pools as ranges, checked as Neutron checks them: inside the subnet, ordered, apart, clear of the gateway. */
export function checkPools(pools: readonly AllocationPool[], cidr: Cidr, cidrText: string, gateway: bigint | undefined): AddressRange[] {
  const ranges = pools.map((pool) => {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    if (start === undefined || end === undefined || start.version !== cidr.version || end.version !== cidr.version) {
      throw badRequest(`Invalid input for allocation_pools. Reason: '${pool.start}'-'${pool.end}' is not a valid IP range.`, 'HTTPBadRequest');
    }
    if (!cidrContains(cidr, start) || !cidrContains(cidr, end)) {
      throw badRequest(`The allocation pool ${pool.start}-${pool.end} spans beyond the subnet cidr ${cidrText}.`, 'OutOfBoundsAllocationPool');
    }
    if (start.value > end.value) throw badRequest(`The allocation pool ${pool.start}-${pool.end} is not valid.`, 'InvalidAllocationPool');
    return { first: start.value, last: end.value };
  });
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : 1));
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (previous !== undefined && current !== undefined && current.first <= previous.last) {
      throw badRequest(`Found overlapping allocation pools: ${describe(cidr, previous)} and ${describe(cidr, current)} for subnet ${cidrText}.`, 'OverlappingAllocationPools');
    }
  }
  if (gateway !== undefined) {
    const holding = ranges.find((range) => gateway >= range.first && gateway <= range.last);
    if (holding !== undefined) {
      throw conflict('GatewayConflictWithAllocationPools', `Gateway ip ${formatIp({ version: cidr.version, value: gateway })} conflicts with allocation pool ${describe(cidr, holding)}.`);
    }
  }
  return ranges;
}

function describe(cidr: Cidr, range: AddressRange): string {
  const pool = toPool(cidr.version, range);
  return `${pool.start}-${pool.end}`;
}

/** The pools of a stored subnet as ranges (they were checked when stored). */
export function poolRanges(pools: readonly AllocationPool[]): AddressRange[] {
  return pools.flatMap((pool) => {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    return start === undefined || end === undefined ? [] : [{ first: start.value, last: end.value }];
  });
}
