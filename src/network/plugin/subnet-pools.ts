import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { badRequest, invalidInput, notFound } from '../errors.js';
import { formatCidr, parseCidr, unrecognizedCidr, type Cidr } from '../ipam/ip-address.js';
import { PrefixSet } from '../ipam/prefix-set.js';
import type { Caller, ResourceView } from './caller.js';
import { newStandardColumns, parseJson, standardView } from './standard-attributes.js';

export type SubnetPoolRow = ResourceRow<'net_subnetpools'>;

export interface SubnetPoolCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly prefixes: readonly string[];
  readonly default_prefixlen?: number;
  readonly min_prefixlen?: number;
  readonly max_prefixlen?: number;
  readonly default_quota?: number;
  readonly shared?: boolean;
  readonly is_default?: boolean;
  readonly address_scope_id?: string | null;
}

/** `shared` is fixed at creation (Neutron's allow_put: False). */
export type SubnetPoolUpdate = Omit<Partial<SubnetPoolCreate>, 'project_id' | 'tenant_id' | 'shared'>;

/** Neutron's SubnetPoolHelper: per IP version, the longest prefix and the default shortest one. */
const VERSION_BOUNDS = { 4: { bits: 32, defaultMin: 8 }, 6: { bits: 128, defaultMin: 64 } } as const;

/** A pool's settings after Neutron's SubnetPoolReader: version derived, prefixes merged, bounds defaulted and checked. */
interface PoolSettings {
  readonly ipVersion: 4 | 6;
  readonly prefixes: string[];
  readonly minPrefixlen: number;
  readonly maxPrefixlen: number;
  readonly defaultPrefixlen: number;
}

/** Subnet pools: prefixes that subnets take their cidrs from (see SubnetPoolAllocator for the taking). */
export class SubnetPoolPlugin {
  constructor(private readonly store: NetworkStore) {}

  async create(projectId: string, body: SubnetPoolCreate): Promise<ResourceView> {
    const settings = readSettings(body);
    const id = randomUUID();
    const row = await this.store.transaction(async (store) => {
      if (body.is_default === true) await checkNoDefault(store, settings.ipVersion);
      checkAddressScope(body.address_scope_id);
      const pool: SubnetPoolRow = {
        id,
        project_id: projectId,
        name: body.name ?? '',
        ip_version: settings.ipVersion,
        default_prefixlen: settings.defaultPrefixlen,
        min_prefixlen: settings.minPrefixlen,
        max_prefixlen: settings.maxPrefixlen,
        shared: body.shared ?? false,
        is_default: body.is_default ?? false,
        default_quota: body.default_quota ?? null,
        address_scope_id: null,
        prefixes: JSON.stringify(settings.prefixes),
        hash: randomUUID(),
        ...newStandardColumns(store, body.description),
      };
      await store.subnetPools.insert(pool);
      return pool;
    });
    return (await this.views(this.store, [row]))[0] ?? {};
  }

  /** The row, or 404 SubnetPoolNotFound. */
  async row(id: string, store: NetworkStore = this.store): Promise<SubnetPoolRow> {
    const row = await store.subnetPools.find(id);
    if (row === undefined) throw notFound('Subnet pool', id, 'SubnetPoolNotFound');
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.store, [await this.row(id)]))[0] ?? {};
  }

  /** The caller's pools and the shared ones (every pool for an administrator), as Neutron's model query scopes them. */
  async list(caller: Caller): Promise<ResourceView[]> {
    const rows = await this.store.subnetPools.list();
    return this.views(this.store, caller.isAdmin ? rows : rows.filter((row) => row.shared || row.project_id === caller.projectId));
  }

  /** The default pool of the IP version, if one is marked. */
  async defaultPool(ipVersion: number, store: NetworkStore = this.store): Promise<SubnetPoolRow | undefined> {
    return (await store.subnetPools.where('is_default', [true])).find((row) => row.ip_version === ipVersion);
  }

  async update(id: string, body: SubnetPoolUpdate): Promise<ResourceView> {
    await this.store.transaction(async (store) => {
      const pool = await this.row(id, store);
      const current = parseJson<string[]>(pool.prefixes);
      const settings = readSettings({
        prefixes: body.prefixes ?? current,
        min_prefixlen: body.min_prefixlen ?? pool.min_prefixlen,
        max_prefixlen: body.max_prefixlen ?? pool.max_prefixlen,
        default_prefixlen: body.default_prefixlen ?? pool.default_prefixlen,
      });
      if (body.prefixes !== undefined) {
        const before = PrefixSet.of(settings.ipVersion, current.map(cidrOf));
        if (settings.ipVersion !== pool.ip_version || !PrefixSet.of(settings.ipVersion, settings.prefixes.map(cidrOf)).includes(before)) {
          throw badRequest('Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.', 'IllegalSubnetPoolPrefixUpdate');
        }
      }
      if (body.is_default === true && !pool.is_default) await checkNoDefault(store, pool.ip_version);
      checkAddressScope(body.address_scope_id);
      const changes: ResourceChanges<'net_subnetpools'> = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.is_default === undefined ? {} : { is_default: body.is_default }),
        ...(body.default_quota === undefined ? {} : { default_quota: body.default_quota }),
        prefixes: JSON.stringify(settings.prefixes),
        min_prefixlen: settings.minPrefixlen,
        max_prefixlen: settings.maxPrefixlen,
        default_prefixlen: settings.defaultPrefixlen,
      };
      await store.subnetPools.update(id, changes);
    });
    return this.get(id);
  }

  /** 400 SubnetPoolDeleteError while a subnet holds a prefix of it. */
  async delete(id: string): Promise<void> {
    await this.store.transaction(async (store) => {
      await this.row(id, store);
      if ((await store.subnets.count('subnetpool_id', id)) > 0) {
        throw badRequest('Unable to delete subnet pool: Subnet pool has existing allocations.', 'SubnetPoolDeleteError');
      }
      await store.tags.removeAll('subnetpools', id);
      await store.subnetPools.delete(id);
    });
  }

  async views(store: NetworkStore, rows: readonly SubnetPoolRow[]): Promise<ResourceView[]> {
    const tags = await store.tags.of('subnetpools', rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      ip_version: row.ip_version,
      prefixes: parseJson<string[]>(row.prefixes),
      default_prefixlen: row.default_prefixlen,
      min_prefixlen: row.min_prefixlen,
      max_prefixlen: row.max_prefixlen,
      default_quota: row.default_quota,
      shared: row.shared,
      is_default: row.is_default,
      address_scope_id: row.address_scope_id,
      ...standardView(row, tags.get(row.id) ?? []),
    }));
  }
}

/** A stored or already checked prefix. */
export function cidrOf(text: string): Cidr {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`Stored subnet pool prefix ${text} is not a cidr`);
  return cidr;
}

/** Neutron's SubnetPoolReader: 400 for an empty or mixed prefix list, a bad prefix, or bounds out of order. */
function readSettings(body: Pick<SubnetPoolCreate, 'prefixes' | 'min_prefixlen' | 'max_prefixlen' | 'default_prefixlen'>): PoolSettings {
  const cidrs = body.prefixes.map((text) => {
    const cidr = parseCidr(text, true);
    if (cidr === undefined) throw badRequest(`Invalid input for prefixes. Reason: ${unrecognizedCidr(text)}`, 'HTTPBadRequest');
    return cidr;
  });
  const first = cidrs[0];
  if (first === undefined) throw badRequest('Empty subnet pool prefix list.', 'EmptySubnetPoolPrefixList');
  const ipVersion = first.version;
  if (cidrs.some((cidr) => cidr.version !== ipVersion)) throw badRequest('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.', 'PrefixVersionMismatch');
  const { bits, defaultMin } = VERSION_BOUNDS[ipVersion];
  const minPrefixlen = body.min_prefixlen ?? defaultMin;
  const maxPrefixlen = body.max_prefixlen ?? bits;
  const defaultPrefixlen = body.default_prefixlen ?? minPrefixlen;
  const bounds = (type: string, prefixlen: number, baseType: string, base: number) =>
    badRequest(`Illegal prefix bounds: ${type}=${prefixlen}, ${baseType}=${base}.`, 'IllegalSubnetPoolPrefixBounds');
  if (minPrefixlen > maxPrefixlen) throw bounds('min_prefixlen', minPrefixlen, 'max_prefixlen', maxPrefixlen);
  if (maxPrefixlen > bits) throw bounds('max_prefixlen', maxPrefixlen, 'ip_version_max', bits);
  if (defaultPrefixlen < minPrefixlen) throw bounds('default_prefixlen', defaultPrefixlen, 'min_prefixlen', minPrefixlen);
  if (defaultPrefixlen > maxPrefixlen) throw bounds('default_prefixlen', defaultPrefixlen, 'max_prefixlen', maxPrefixlen);
  return { ipVersion, prefixes: PrefixSet.of(ipVersion, cidrs).cidrs().map(formatCidr), minPrefixlen, maxPrefixlen, defaultPrefixlen };
}

async function checkNoDefault(store: NetworkStore, ipVersion: number): Promise<void> {
  if ((await store.subnetPools.where('is_default', [true])).some((row) => row.ip_version === ipVersion)) {
    throw invalidInput('A default subnetpool for this IP family has already been set. Only one default may exist per IP family');
  }
}

/** Address scopes are not served: naming one is naming one that does not exist. */
function checkAddressScope(addressScopeId: string | null | undefined): void {
  if (addressScopeId !== undefined && addressScopeId !== null) throw notFound('Address scope', addressScopeId);
}
