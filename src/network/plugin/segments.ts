import { randomInt } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import { badRequest, conflict, NeutronFault } from '../errors.js';

/** What the operator configured: where flat, vlan and vxlan networks may go and which ids tenants get. */
export interface SegmentConfig {
  /** Physical networks flat networks may use; `*` allows any. */
  readonly flatNetworks: readonly string[];
  /** Per physical network, the vlan id ranges tenant networks get (empty: provider networks only). */
  readonly vlanRanges: ReadonlyMap<string, readonly IdRange[]>;
  readonly vniRanges: readonly IdRange[];
  /** Types a network without provider attributes gets, in order of preference. */
  readonly tenantNetworkTypes: readonly string[];
}

export interface IdRange {
  readonly first: number;
  readonly last: number;
}

/** A network's segment as its provider attributes show it. */
export interface Segment {
  readonly networkType: string;
  readonly physicalNetwork: string | null;
  readonly segmentationId: number | null;
}

const MAX_ID: Readonly<Record<string, number>> = { vlan: 4094, vxlan: 16777215 };

function parseRange(text: string, what: string): IdRange {
  const [first, last] = text.split(':').map(Number);
  if (first === undefined || last === undefined || !Number.isInteger(first) || !Number.isInteger(last) || first > last) {
    throw new Error(`bad ${what} range "${text}": expected first:last`);
  }
  return { first, last };
}

/** Reads Neutron's option syntax: `physnet1:1000:2999,physnet2` and `1:1000`. */
export function parseSegmentConfig(options: { flat_networks: string; network_vlan_ranges: string; vni_ranges: string; tenant_network_types: string }): SegmentConfig {
  const list = (text: string) => text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const vlanRanges = new Map<string, IdRange[]>();
  for (const entry of list(options.network_vlan_ranges)) {
    const [physnet = '', ...range] = entry.split(':');
    vlanRanges.set(physnet, [...(vlanRanges.get(physnet) ?? []), ...(range.length === 0 ? [] : [parseRange(range.join(':'), 'vlan')])]);
  }
  return {
    flatNetworks: list(options.flat_networks),
    vlanRanges,
    vniRanges: list(options.vni_ranges).map((range) => parseRange(range, 'vni')),
    tenantNetworkTypes: list(options.tenant_network_types),
  };
}

/**
 * Checks the provider attributes of a new network, or picks a tenant segment, and records the
 * segmentation id it takes. The (type, physical network, id) key refuses a second taker, so two
 * concurrent requests never share an id: the loser's transaction is retried.
 */
export async function allocateSegment(store: NetworkStore, config: SegmentConfig, networkId: string, requested: Partial<Segment>): Promise<Segment> {
  if (requested.networkType === undefined) {
    if (requested.physicalNetwork !== undefined || requested.segmentationId !== undefined) {
      throw badRequest('Invalid input for operation: provider:network_type required.', 'InvalidInput');
    }
    return allocateTenantSegment(store, config, networkId);
  }
  const { networkType } = requested;
  const physnet = requested.physicalNetwork ?? null;
  const segmentationId = requested.segmentationId ?? null;
  switch (networkType) {
    case 'flat':
      if (segmentationId !== null) throw invalid('segmentation_id specified for flat provider network');
      if (physnet === null) throw invalid('physical_network required for flat provider network');
      if (!config.flatNetworks.includes('*') && !config.flatNetworks.includes(physnet)) {
        throw invalid(`physical_network '${physnet}' unknown for flat provider network`);
      }
      await take(store, 'flat', physnet, 0, networkId, () => conflict('FlatNetworkInUse', `Unable to create the flat network. Physical network ${physnet} is in use.`));
      return { networkType, physicalNetwork: physnet, segmentationId: null };
    case 'vlan': {
      if (physnet === null) throw invalid('physical_network required for VLAN provider network');
      if (!config.vlanRanges.has(physnet)) throw invalid(`physical_network '${physnet}' unknown for VLAN provider network`);
      if (segmentationId === null) return allocateFrom(store, 'vlan', physnet, config.vlanRanges.get(physnet) ?? [], networkId);
      return takeRequested(store, networkType, physnet, segmentationId, networkId);
    }
    case 'vxlan':
      if (physnet !== null) throw invalid('provider:physical_network specified for VXLAN network');
      if (segmentationId === null) return allocateFrom(store, 'vxlan', '', config.vniRanges, networkId);
      return takeRequested(store, networkType, '', segmentationId, networkId);
    default:
      throw invalid(`network_type value '${networkType}' not supported`);
  }
}

function invalid(message: string) {
  return badRequest(`Invalid input for operation: ${message}.`, 'InvalidInput');
}

async function take(store: NetworkStore, type: string, physnet: string, id: number, networkId: string, inUse: () => Error): Promise<void> {
  if ((await store.segments.taken(type, physnet)).includes(id)) throw inUse();
  await store.segments.insert(type, physnet, id, networkId);
}

async function takeRequested(store: NetworkStore, type: string, physnet: string, id: number, networkId: string): Promise<Segment> {
  const max = MAX_ID[type] ?? 0;
  if (!Number.isInteger(id) || id < 1 || id > max) throw invalid(`segmentation_id out of range (1 through ${max})`);
  const inUse =
    type === 'vlan'
      ? () => conflict('VlanIdInUse', `Unable to create the network. The VLAN ${id} on physical network ${physnet} is in use.`)
      : () => conflict('TunnelIdInUse', `Unable to create the network. The tunnel ID ${id} is in use.`);
  await take(store, type, physnet, id, networkId, inUse);
  return { networkType: type, physicalNetwork: physnet === '' ? null : physnet, segmentationId: id };
}

async function allocateFrom(store: NetworkStore, type: string, physnet: string, ranges: readonly IdRange[], networkId: string): Promise<Segment> {
  const taken = new Set(await store.segments.taken(type, physnet));
  const free = ranges.flatMap((range) => {
    const ids: number[] = [];
    for (let id = range.first; id <= range.last && ids.length < 16; id += 1) if (!taken.has(id)) ids.push(id);
    return ids;
  });
  const id = free[free.length === 0 ? 0 : randomInt(free.length)];
  if (id === undefined) throw new NoSegmentLeft();
  await store.segments.insert(type, physnet, id, networkId);
  return { networkType: type, physicalNetwork: physnet === '' ? null : physnet, segmentationId: id };
}

class NoSegmentLeft extends Error {}

async function allocateTenantSegment(store: NetworkStore, config: SegmentConfig, networkId: string): Promise<Segment> {
  const pools: [string, string, readonly IdRange[]][] = config.tenantNetworkTypes.flatMap((type): [string, string, readonly IdRange[]][] => {
    if (type === 'vxlan') return [['vxlan', '', config.vniRanges]];
    if (type === 'vlan') return [...config.vlanRanges].map(([physnet, ranges]): [string, string, readonly IdRange[]] => ['vlan', physnet, ranges]);
    return [];
  });
  for (const [type, physnet, ranges] of pools) {
    try {
      return await allocateFrom(store, type, physnet, ranges, networkId);
    } catch (error) {
      if (!(error instanceof NoSegmentLeft)) throw error;
    }
  }
  throw new NeutronFault(503, 'NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
}
