import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { badRequest, conflict, invalidInput, notFound } from '../errors.js';
import { checkPools, defaultPools, type AllocationPool } from '../ipam/allocation-pools.js';
import { withIpamRetry, type IpamSubnet } from '../ipam/ip-allocator.js';
import { SubnetAllocator } from '../ipam/subnet-allocator.js';
import { cidrContains, cidrsOverlap, formatCidr, formatIp, lastAddress, normalizeIp, parseCidr, parseIp, unrecognizedCidr, type Cidr } from '../ipam/ip-address.js';
import type { ResourceView } from './caller.js';
import type { PluginDeps } from './plugin-deps.js';
import type { QuotaPlugin } from './quotas.js';
import type { SubnetPoolPlugin } from './subnet-pools.js';
import { newStandardColumns, parseJson, standardView } from './standard-attributes.js';

export type SubnetRow = ResourceRow<'net_subnets'>;

export interface HostRoute {
  readonly destination: string;
  readonly nexthop: string;
}

export interface SubnetCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly network_id: string;
  readonly name?: string;
  readonly description?: string;
  readonly ip_version: number;
  readonly cidr?: string;
  readonly gateway_ip?: string | null;
  readonly enable_dhcp?: boolean;
  readonly allocation_pools?: readonly AllocationPool[];
  readonly dns_nameservers?: readonly string[];
  readonly host_routes?: readonly HostRoute[];
  readonly ipv6_ra_mode?: string | null;
  readonly ipv6_address_mode?: string | null;
  /** The pool to take the cidr from (null: none). */
  readonly subnetpool_id?: string | null;
  /** Without a cidr: the length of the prefix to take from the pool (its default_prefixlen otherwise). */
  readonly prefixlen?: number;
  /** Take the cidr from the default pool of the IP version. */
  readonly use_default_subnetpool?: boolean;
}

export type SubnetUpdate = Pick<SubnetCreate, 'name' | 'description' | 'gateway_ip' | 'enable_dhcp' | 'allocation_pools' | 'dns_nameservers' | 'host_routes'>;

/** Device owners whose addresses go with the subnet instead of keeping it in use. */
const AUTO_DELETED_OWNERS = new Set(['network:dhcp']);

/** Subnets: their cidr never overlapping another on the network, pools, gateway, DNS and routes checked. */
export class SubnetPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
    private readonly pools: SubnetPoolPlugin,
  ) {}

  async create(projectId: string, body: SubnetCreate): Promise<ResourceView> {
    const id = randomUUID();
    const requestedCidr = body.cidr === undefined ? undefined : strictCidr(body.cidr);
    const row = await withIpamRetry(this.deps.store, async (store) => {
      await this.quotas.check(store, projectId, 'subnet');
      const poolId = await this.poolOf(store, body);
      const cidr = poolId === undefined ? requestedCidr : await this.fromPool(store, poolId, projectId, body, requestedCidr);
      if (cidr === undefined) throw badRequest('Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
      if (cidr.version !== body.ip_version) throw invalidInput('Cidr and ip_version mismatch.');
      checkIpv6Modes(body);
      const cidrText = formatCidr(cidr);
      for (const other of await store.subnets.where('network_id', [body.network_id])) {
        const otherCidr = parseCidr(other.cidr);
        if (otherCidr !== undefined && cidrsOverlap(cidr, otherCidr)) {
          throw badRequest(`Invalid input for operation: Requested subnet with cidr: ${cidrText} for network: ${body.network_id} overlaps with another subnet.`, 'InvalidInput');
        }
      }
      const gateway = body.gateway_ip === undefined ? cidr.network + 1n : gatewayOf(body.gateway_ip, cidr);
      const pools = body.allocation_pools ?? defaultPools(cidr, gateway ?? undefined);
      checkPools(pools, cidr, cidrText, gateway ?? undefined);
      const subnet: SubnetRow = {
        id,
        project_id: projectId,
        network_id: body.network_id,
        name: body.name ?? '',
        ip_version: cidr.version,
        cidr: cidrText,
        gateway_ip: gateway === null ? null : formatIp({ version: cidr.version, value: gateway }),
        enable_dhcp: body.enable_dhcp ?? true,
        ipv6_ra_mode: body.ipv6_ra_mode ?? null,
        ipv6_address_mode: body.ipv6_address_mode ?? null,
        allocation_pools: JSON.stringify(pools.map((pool) => ({ start: normalizeIp(pool.start), end: normalizeIp(pool.end) }))),
        dns_nameservers: JSON.stringify(checkNameservers(body.dns_nameservers ?? [])),
        host_routes: JSON.stringify(checkRoutes(body.host_routes ?? [], cidr.version)),
        subnetpool_id: poolId ?? null,
        ...newStandardColumns(store, body.description),
      };
      await store.subnets.insert(subnet);
      await store.networks.update(body.network_id, {});
      return subnet;
    });
    return (await this.views(this.deps.store, [row]))[0] ?? {};
  }

  /** Neutron's _get_subnetpool_id: the pool named, the default one asked for, or none. */
  async poolOf(store: NetworkStore, body: SubnetCreate): Promise<string | undefined> {
    const named = body.subnetpool_id ?? undefined;
    if (body.use_default_subnetpool !== true) return named;
    if (named !== undefined) throw badRequest('Bad subnets request: subnetpool_id and use_default_subnetpool cannot both be specified.');
    const pool = await this.pools.defaultPool(body.ip_version, store);
    if (pool === undefined) throw badRequest(`Bad subnets request: No default subnetpool found for IPv${body.ip_version}.`);
    return pool.id;
  }

  /** The cidr the pool gives: the one asked for if it is free in the pool, else the next free prefix of the length. */
  async fromPool(store: NetworkStore, poolId: string, projectId: string, body: SubnetCreate, cidr: Cidr | undefined): Promise<Cidr> {
    if (cidr !== undefined && body.prefixlen !== undefined) throw badRequest('Bad subnets request: cidr and prefixlen must not be supplied together.');
    if (cidr === undefined && body.allocation_pools !== undefined) throw badRequest('Bad subnets request: allocation_pools allowed only for specific subnet requests.');
    const pool = await this.pools.row(poolId, store);
    if (pool.ip_version !== body.ip_version) {
      throw badRequest(`Bad subnets request: Cannot allocate IPv${body.ip_version} subnet from IPv${pool.ip_version} subnet pool.`);
    }
    const allocator = new SubnetAllocator(store);
    return allocator.allocate(poolId, cidr === undefined ? { projectId, prefixlen: body.prefixlen ?? pool.default_prefixlen } : { projectId, cidr });
  }

  async row(id: string, store: NetworkStore = this.deps.store): Promise<SubnetRow> {
    const row = await store.subnets.find(id);
    if (row === undefined) throw notFound('Subnet', id);
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  /** The subnets of the networks the caller sees (every subnet for an administrator). */
  async list(networkIds: readonly string[] | undefined): Promise<ResourceView[]> {
    const { store } = this.deps;
    return this.views(store, networkIds === undefined ? await store.subnets.list() : await store.subnets.where('network_id', networkIds));
  }

  async update(id: string, body: SubnetUpdate): Promise<ResourceView> {
    await this.deps.store.transaction(async (store) => {
      const subnet = await this.row(id, store);
      const cidr = parseCidr(subnet.cidr);
      if (cidr === undefined) throw new Error(`Stored subnet ${id} has a bad cidr`);
      const gateway = body.gateway_ip === undefined ? (subnet.gateway_ip === null ? null : (parseIp(subnet.gateway_ip)?.value ?? null)) : gatewayOf(body.gateway_ip, cidr);
      const pools = body.allocation_pools ?? parseJson<AllocationPool[]>(subnet.allocation_pools);
      checkPools(pools, cidr, subnet.cidr, gateway ?? undefined);
      const changes: ResourceChanges<'net_subnets'> = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.enable_dhcp === undefined ? {} : { enable_dhcp: body.enable_dhcp }),
        ...(body.gateway_ip === undefined ? {} : { gateway_ip: gateway === null ? null : formatIp({ version: cidr.version, value: gateway }) }),
        ...(body.allocation_pools === undefined ? {} : { allocation_pools: JSON.stringify(body.allocation_pools) }),
        ...(body.dns_nameservers === undefined ? {} : { dns_nameservers: JSON.stringify(checkNameservers(body.dns_nameservers)) }),
        ...(body.host_routes === undefined ? {} : { host_routes: JSON.stringify(checkRoutes(body.host_routes, cidr.version)) }),
      };
      await store.subnets.update(id, changes);
    });
    return this.get(id);
  }

  /** 409 SubnetInUse while a port (a router interface too) holds one of its addresses. */
  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const subnet = await this.row(id, store);
      const allocations = await store.ipAllocations.ofSubnet(id);
      const holders = await store.ports.where('id', [...new Set(allocations.map((allocation) => allocation.port_id))]);
      if (holders.some((port) => !AUTO_DELETED_OWNERS.has(port.device_owner))) {
        throw conflict('SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`);
      }
      for (const port of holders) await store.ipAllocations.deleteOfPort(port.id, allocations.filter((a) => a.port_id === port.id).map((a) => a.ip_address));
      await store.tags.removeAll('subnets', id);
      await store.subnets.delete(id);
      await store.networks.update(subnet.network_id, {});
    });
  }

  async views(store: NetworkStore, rows: readonly SubnetRow[]): Promise<ResourceView[]> {
    const tags = await store.tags.of('subnets', rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      network_id: row.network_id,
      ip_version: row.ip_version,
      subnetpool_id: row.subnetpool_id,
      enable_dhcp: row.enable_dhcp,
      ipv6_ra_mode: row.ipv6_ra_mode,
      ipv6_address_mode: row.ipv6_address_mode,
      gateway_ip: row.gateway_ip,
      cidr: row.cidr,
      allocation_pools: parseJson<AllocationPool[]>(row.allocation_pools),
      host_routes: parseJson<HostRoute[]>(row.host_routes),
      dns_nameservers: parseJson<string[]>(row.dns_nameservers),
      service_types: [],
      ...standardView(row, tags.get(row.id) ?? []),
    }));
  }
}

/** What IPAM needs of a stored subnet. */
export function ipamSubnet(row: SubnetRow): IpamSubnet {
  return {
    id: row.id,
    networkId: row.network_id,
    cidr: row.cidr,
    allocationPools: parseJson<AllocationPool[]>(row.allocation_pools),
    ipv6AddressMode: row.ipv6_address_mode,
  };
}

/** A create's cidr: 400 when it is none or has host bits set (Neutron recommends the network's). */
function strictCidr(text: string): Cidr {
  const cidr = parseCidr(text, true);
  if (cidr === undefined) throw invalidInput(unrecognizedCidr(text));
  return cidr;
}

/** The gateway as a number (null: none); 400 when it is not a usable host address of the subnet. */
function gatewayOf(text: string | null, cidr: Cidr): bigint | null {
  if (text === null) return null;
  const address = parseIp(text);
  const broadcast = cidr.version === 4 && cidr.prefixLength < 31 ? lastAddress(cidr) : undefined;
  if (address === undefined || !cidrContains(cidr, address) || address.value === cidr.network || address.value === broadcast) {
    throw badRequest(`Invalid input for operation: Gateway is not valid on subnet ${formatCidr(cidr)}.`, 'InvalidInput');
  }
  return address.value;
}

const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'];

function checkIpv6Modes(body: SubnetCreate): void {
  const { ipv6_ra_mode: ra, ipv6_address_mode: address } = body;
  for (const [name, value] of [['ipv6_ra_mode', ra], ['ipv6_address_mode', address]] as const) {
    if (value === undefined || value === null) continue;
    if (body.ip_version !== 6) throw invalidInput(`${name} is not valid when ip_version is 4.`);
    if (!IPV6_MODES.includes(value)) throw invalidInput(`'${value}' is not in ${JSON.stringify(IPV6_MODES)}.`);
  }
  if (ra !== undefined && ra !== null && address !== undefined && address !== null && ra !== address) {
    throw invalidInput(`ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${address}' is not valid. If both attributes are set, they must be the same value.`);
  }
}

function checkNameservers(servers: readonly string[]): string[] {
  const normalized = servers.map((server) => {
    const text = normalizeIp(server);
    if (text === undefined) throw invalidInput(`'${server}' is not a valid nameserver.`);
    return text;
  });
  const duplicate = normalized.find((server, index) => normalized.indexOf(server) !== index);
  if (duplicate !== undefined) throw invalidInput(`Duplicate nameserver '${duplicate}'.`);
  return normalized;
}

function checkRoutes(routes: readonly HostRoute[], version: number): HostRoute[] {
  return routes.map((route) => {
    const destination = parseCidr(route.destination, true);
    const nexthop = parseIp(route.nexthop);
    if (destination === undefined || nexthop === undefined || destination.version !== version || nexthop.version !== version) {
      throw invalidInput(`Invalid data format for hostroute: '${JSON.stringify(route)}'.`);
    }
    return { destination: formatCidr(destination), nexthop: formatIp(nexthop) };
  });
}
