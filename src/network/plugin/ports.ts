import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { withIpamRetry } from '../ipam/ip-allocator.js';
import { normalizeIp, parseCidr } from '../ipam/ip-address.js';
import { readsAttribute, type AttributesRead, type ResourceView } from './caller.js';
import { allocateFixedIps, checkMac, randomMac, refuseMacInUse, replaceFixedIps, type FixedIp, type FixedIpRequest } from './fixed-ips.js';
import type { PluginDeps } from './plugin-deps.js';
import { bridgeName } from '../agent/device-names.js';
import { getLogger } from '../../common/logging/logger.js';
import type { QuotaPlugin } from './quotas.js';
import type { SecurityGroupPlugin } from './security-groups.js';
import { newStandardColumns, parseJson, standardAttributes, type ViewAttribute } from './standard-attributes.js';

const LOG = getLogger('nimbus.network.ports');

export type PortRow = ResourceRow<'net_ports'>;

export interface AddressPair {
  readonly ip_address: string;
  readonly mac_address?: string;
}

export interface PortCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly network_id: string;
  readonly name?: string;
  readonly description?: string;
  readonly admin_state_up?: boolean;
  readonly mac_address?: string;
  readonly fixed_ips?: readonly FixedIpRequest[];
  readonly device_id?: string;
  readonly device_owner?: string;
  readonly security_groups?: readonly string[];
  readonly port_security_enabled?: boolean;
  readonly allowed_address_pairs?: readonly AddressPair[];
  readonly 'binding:host_id'?: string;
  readonly 'binding:vnic_type'?: string;
  readonly 'binding:profile'?: Readonly<Record<string, unknown>>;
}

export type PortUpdate = Omit<PortCreate, 'project_id' | 'tenant_id' | 'network_id'>;

/** Owners whose ports Neutron's plugins make and remove themselves (router interfaces, gateways, floating IPs). */
const ROUTER_OWNED = new Set(['network:router_interface', 'network:router_gateway', 'network:floatingip', 'network:router_interface_distributed']);

/** What the host's agent said of the port's network: it cannot bind it (undefined), or it binds it, maybe on a bridge of bridge_mappings. */
type Bindable = { readonly bridge?: string } | undefined;

/** The binding a host gives: the Linux bridge agent's, as Neutron Zed's linuxbridge mechanism driver reports it (the bridge named as its agent names it: a mapped one, else `brq` + the network id). */
function binding(hostId: string, vnicType: string, networkId: string, bindable: Bindable): { binding_vif_type: string; binding_vif_details: string } {
  if (hostId === '') return { binding_vif_type: 'unbound', binding_vif_details: '{}' };
  if (vnicType !== 'normal' || bindable === undefined) return { binding_vif_type: 'binding_failed', binding_vif_details: '{}' };
  return { binding_vif_type: 'bridge', binding_vif_details: JSON.stringify({ bridge_name: bindable.bridge ?? bridgeName(networkId), connectivity: 'l2', port_filter: true }) };
}

/** Ports: a MAC unique on the network, fixed IPs from IPAM, security groups, address pairs, binding. */
export class PortPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
    private readonly securityGroups: SecurityGroupPlugin,
  ) {}

  async create(projectId: string, body: PortCreate): Promise<ResourceView> {
    // Neutron makes the project's default group before any port of it (its PORT BEFORE_CREATE
    // handler), and puts the port in it unless the network owns the port (router, DHCP).
    const projectGroup = projectId === '' ? undefined : await this.securityGroups.ensureDefault(projectId);
    const defaultGroup = (body.device_owner ?? '').startsWith('network:') ? undefined : projectGroup;
    const bindable = await this.#bindable(body['binding:host_id'] ?? '', body.network_id);
    const id = await withIpamRetry(this.deps.store, (store) => this.insert(store, projectId, body, defaultGroup, bindable));
    return this.get(id);
  }

  /** Makes the port inside the caller's transaction (routers and floating IPs make theirs this way). */
  async insert(store: NetworkStore, projectId: string, body: PortCreate, defaultGroup: string | undefined, bindable: Bindable = undefined): Promise<string> {
    const network = await store.networks.find(body.network_id);
    if (network === undefined) throw notFound('Network', body.network_id);
    if (projectId !== '') await this.quotas.check(store, projectId, 'port');
    const id = randomUUID();
    const mac = body.mac_address === undefined ? randomMac() : checkMac(body.mac_address);
    if (body.mac_address !== undefined) await refuseMacInUse(store, network.id, mac);
    const portSecurity = body.port_security_enabled ?? network.port_security_enabled;
    const groups = await this.#groups(store, projectId, portSecurity, body.security_groups ?? (portSecurity && defaultGroup !== undefined ? [defaultGroup] : []));
    const pairs = checkAddressPairs(body.allowed_address_pairs ?? [], mac, portSecurity);
    const hostId = body['binding:host_id'] ?? '';
    const vnicType = body['binding:vnic_type'] ?? 'normal';
    await store.ports.insert({
      id,
      project_id: projectId,
      network_id: network.id,
      name: body.name ?? '',
      mac_address: mac,
      admin_state_up: body.admin_state_up ?? true,
      status: 'DOWN',
      device_id: body.device_id ?? '',
      device_owner: body.device_owner ?? '',
      port_security_enabled: portSecurity,
      allowed_address_pairs: JSON.stringify(pairs),
      binding_host_id: hostId,
      binding_vnic_type: vnicType,
      binding_profile: JSON.stringify(body['binding:profile'] ?? {}),
      ...binding(hostId, vnicType, network.id, bindable),
      ...newStandardColumns(store, body.description),
    });
    await allocateFixedIps(store, network.id, id, mac, body.fixed_ips);
    await store.portSecurityGroups.set(id, groups);
    return id;
  }

  /** Whether a port of the network can be bound to the host; where not, the log says why (no agent, a dead or disabled one, a physical network the host does not map). */
  async #bindable(hostId: string, networkId: string): Promise<Bindable> {
    if (hostId === '') return undefined;
    const hosts = this.deps.bindingHosts;
    if (hosts === undefined) return {};
    const network = await this.deps.store.networks.find(networkId);
    // No such network: the insert answers 404.
    if (network === undefined) return undefined;
    const bound = await hosts.bind(hostId, network);
    if (bound.failure === undefined) return bound.bridge === undefined ? {} : { bridge: bound.bridge };
    LOG.warning(`Binding a port to host ${hostId} failed: ${bound.failure}`);
    return undefined;
  }

  /** The groups, each of the port's project: 404 for another's, 400 with port security off. */
  async #groups(store: NetworkStore, projectId: string, portSecurity: boolean, ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length > 0 && !portSecurity) {
      throw badRequest('Port security must be enabled and port must have an IP address in order to use security groups.', 'PortSecurityAndIPRequiredForSecurityGroups');
    }
    const found = await store.securityGroups.where('id', unique);
    for (const id of unique) {
      if (!found.some((group) => group.id === id && group.project_id === projectId)) throw notFound('Security group', id, 'SecurityGroupNotFound');
    }
    return unique;
  }

  async row(id: string, store: NetworkStore = this.deps.store): Promise<PortRow> {
    const row = await store.ports.find(id);
    if (row === undefined) throw notFound('Port', id);
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  /**
   * The project's ports (every port for an administrator); only those of `only.deviceIds` (Nova's
   * lookup of its servers' ports) and of `only.networkIds` (`port list --network`) when given, read
   * by their indexes rather than every port.
   */
  async list(
    projectId: string | undefined,
    only: { readonly deviceIds?: readonly string[]; readonly networkIds?: readonly string[] } = {},
    attributes?: AttributesRead,
  ): Promise<ResourceView[]> {
    const filters = [...(only.deviceIds === undefined ? [] : [{ column: 'device_id' as const, values: only.deviceIds }]), ...(only.networkIds === undefined ? [] : [{ column: 'network_id' as const, values: only.networkIds }])];
    return this.views(this.deps.store, await this.deps.store.ports.list(projectId, filters), attributes);
  }

  /**
   * What `list(projectId, { deviceIds }, attributes)` makes of each port when a list reads only
   * `device_id` and `security_groups` (Nova naming its servers' groups): the attributes policy
   * reads and those two, from one read of four columns and the group links.
   */
  async deviceGroups(projectId: string | undefined, deviceIds: readonly string[]): Promise<ResourceView[]> {
    const views = new Map<string, { id: string; network_id: string; tenant_id: string; project_id: string; device_id: string; security_groups: string[] }>();
    for (const row of await this.deps.store.portSecurityGroups.ofDevices(projectId, deviceIds)) {
      const view = views.get(row.id) ?? { id: row.id, network_id: row.network_id, tenant_id: row.project_id, project_id: row.project_id, device_id: row.device_id, security_groups: [] };
      if (row.security_group_id !== null) view.security_groups.push(row.security_group_id);
      views.set(row.id, view);
    }
    return [...views.values()];
  }

  async update(id: string, body: PortUpdate): Promise<ResourceView> {
    const rebind = body['binding:host_id'] !== undefined || body['binding:vnic_type'] !== undefined;
    // Asked before the transaction, which may hold the only connection (SQLite).
    const current = rebind ? await this.row(id) : undefined;
    const bindable = current === undefined ? undefined : await this.#bindable(body['binding:host_id'] ?? current.binding_host_id, current.network_id);
    await withIpamRetry(this.deps.store, async (store) => {
      const port = await this.row(id, store);
      const mac = body.mac_address === undefined ? port.mac_address : checkMac(body.mac_address);
      if (mac !== port.mac_address) {
        if (port.binding_host_id !== '') throw conflict('PortBound', `Unable to complete operation on port ${id}, port is already bound, port type: ${port.binding_vif_type}, old_mac ${port.mac_address}, new_mac ${mac}.`);
        await refuseMacInUse(store, port.network_id, mac);
      }
      const portSecurity = body.port_security_enabled ?? port.port_security_enabled;
      const currentGroups = (await store.portSecurityGroups.ofPorts([id])).map((link) => link.security_group_id);
      const groups = body.security_groups ?? (portSecurity ? currentGroups : []);
      if (body.security_groups !== undefined || !portSecurity) await store.portSecurityGroups.set(id, await this.#groups(store, port.project_id, portSecurity, groups));
      const pairs = body.allowed_address_pairs ?? parseJson<AddressPair[]>(port.allowed_address_pairs);
      const hostId = body['binding:host_id'] ?? port.binding_host_id;
      const vnicType = body['binding:vnic_type'] ?? port.binding_vnic_type;
      const changes: ResourceChanges<'net_ports'> = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.admin_state_up === undefined ? {} : { admin_state_up: body.admin_state_up }),
        ...(body.device_id === undefined ? {} : { device_id: body.device_id }),
        ...(body.device_owner === undefined ? {} : { device_owner: body.device_owner }),
        ...(body['binding:profile'] === undefined ? {} : { binding_profile: JSON.stringify(body['binding:profile']) }),
        mac_address: mac,
        port_security_enabled: portSecurity,
        allowed_address_pairs: JSON.stringify(checkAddressPairs(pairs, mac, portSecurity)),
        binding_host_id: hostId,
        binding_vnic_type: vnicType,
        ...(rebind ? binding(hostId, vnicType, port.network_id, bindable) : {}),
        // A port bound elsewhere (or nowhere) is down until the new host's agent wires it.
        ...(hostId === port.binding_host_id ? {} : { status: 'DOWN' }),
      };
      if (body.fixed_ips !== undefined) {
        const current = (await store.ipAllocations.ofPorts([id])).map((row) => ({ subnet_id: row.subnet_id, ip_address: row.ip_address }));
        await replaceFixedIps(store, port.network_id, id, mac, current, body.fixed_ips);
      }
      await store.ports.update(id, changes);
    });
    return this.get(id);
  }

  /** 409 for a router's own ports (remove the interface instead); floating IPs on the port are let go. */
  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const port = await this.row(id, store);
      if (ROUTER_OWNED.has(port.device_owner)) {
        throw conflict('ServicePortInUse', `Port ${id} cannot be deleted directly via the port API: has device owner ${port.device_owner}.`);
      }
      await this.remove(store, port.id);
    });
  }

  /** Removes the port and what hangs on it (addresses, group links, tags, floating IP associations). */
  async remove(store: NetworkStore, id: string): Promise<void> {
    for (const floating of await store.floatingIps.where('port_id', [id])) {
      await store.floatingIps.update(floating.id, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' });
    }
    await store.ipAllocations.deleteOfPort(id);
    await store.portSecurityGroups.set(id, []);
    await store.tags.removeAll('ports', id);
    await store.ports.delete(id);
  }

  async fixedIps(store: NetworkStore, portId: string): Promise<FixedIp[]> {
    return (await store.ipAllocations.ofPorts([portId])).map((row) => ({ subnet_id: row.subnet_id, ip_address: row.ip_address }));
  }

  /**
   * The ports' views; with `attributes` (all a list reads), only those and what policy reads of a
   * port are made, and tags, fixed IPs and groups not among them are not read: Nova's security
   * group lookup of 100 servers makes four attributes of each port rather than twenty-four.
   */
  async views(store: NetworkStore, rows: readonly PortRow[], attributes?: AttributesRead): Promise<ResourceView[]> {
    const ids = rows.map((row) => row.id);
    const tags = readsAttribute(attributes, 'tags') ? await store.tags.of('ports', ids) : new Map<string, string[]>();
    const allocations = readsAttribute(attributes, 'fixed_ips') ? await store.ipAllocations.ofPorts(ids) : [];
    const groups = readsAttribute(attributes, 'security_groups') ? await store.portSecurityGroups.ofPorts(ids) : [];
    // Grouped by port once, in the order read: a list of 100 ports does not scan every address 100 times.
    const fixedIpsOf = new Map<string, FixedIp[]>();
    for (const allocation of allocations) {
      const list = fixedIpsOf.get(allocation.port_id) ?? [];
      list.push({ subnet_id: allocation.subnet_id, ip_address: allocation.ip_address });
      fixedIpsOf.set(allocation.port_id, list);
    }
    const groupsOf = new Map<string, string[]>();
    for (const link of groups) {
      const list = groupsOf.get(link.port_id) ?? [];
      list.push(link.security_group_id);
      groupsOf.set(link.port_id, list);
    }
    const shown = attributes === undefined ? PORT_ATTRIBUTES : PORT_ATTRIBUTES.filter(([name]) => attributes.has(name) || POLICY_ATTRIBUTES.has(name));
    return rows.map((row) => {
      const beside: PortBeside = { fixedIps: fixedIpsOf.get(row.id) ?? [], groups: groupsOf.get(row.id) ?? [], tags: tags.get(row.id) ?? [] };
      const view: Record<string, unknown> = {};
      for (const [name, value] of shown) view[name] = value(row, beside);
      return view;
    });
  }
}

/** What a port's view shows beside its row. */
interface PortBeside {
  readonly fixedIps: readonly FixedIp[];
  readonly groups: readonly string[];
  readonly tags: readonly string[];
}

/**
 * A port's attributes in the order Neutron shows them, each made from its row: a list with
 * `fields` makes only those it reads (Nova's 100 ports of a server detail: device_id and groups).
 */
const PORT_ATTRIBUTES: readonly ViewAttribute<PortRow, PortBeside>[] = [
  ['id', (row) => row.id],
  ['name', (row) => row.name],
  ['network_id', (row) => row.network_id],
  ['mac_address', (row) => row.mac_address],
  ['admin_state_up', (row) => row.admin_state_up],
  ['status', (row) => row.status],
  ['device_id', (row) => row.device_id],
  ['device_owner', (row) => row.device_owner],
  ['fixed_ips', (_row, beside) => beside.fixedIps],
  ['allowed_address_pairs', (row) => parseJson<AddressPair[]>(row.allowed_address_pairs)],
  ['security_groups', (_row, beside) => beside.groups],
  ['port_security_enabled', (row) => row.port_security_enabled],
  ['binding:host_id', (row) => row.binding_host_id],
  ['binding:vnic_type', (row) => row.binding_vnic_type],
  ['binding:profile', (row) => parseJson<Record<string, unknown>>(row.binding_profile)],
  ['binding:vif_type', (row) => row.binding_vif_type],
  ['binding:vif_details', (row) => parseJson<Record<string, unknown>>(row.binding_vif_details)],
  ...standardAttributes<PortRow, PortBeside>((_row, beside) => beside.tags),
];

/**
 * What Neutron's port policies read of a port (its attribute map's required_by_policy, with
 * project_id), made whatever `fields` asks; and the id, which lists sort and page by.
 */
const POLICY_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'network_id', 'tenant_id', 'project_id']);

/** Address pairs checked (an address or a cidr each, no repeats), each with its MAC (the port's by default). */
function checkAddressPairs(pairs: readonly AddressPair[], mac: string, portSecurity: boolean): AddressPair[] {
  if (pairs.length > 0 && !portSecurity) {
    throw conflict('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.');
  }
  const checked = pairs.map((pair) => {
    const address = pair.ip_address.includes('/') ? (parseCidr(pair.ip_address) === undefined ? undefined : pair.ip_address) : normalizeIp(pair.ip_address);
    if (address === undefined) throw badRequest(`Invalid input for ip_address. Reason: '${pair.ip_address}' is not a valid IP address.`, 'HTTPBadRequest');
    return { ip_address: address, mac_address: pair.mac_address === undefined ? mac : checkMac(pair.mac_address) };
  });
  const keys = checked.map((pair) => `${pair.ip_address} ${pair.mac_address}`);
  if (new Set(keys).size !== keys.length) throw badRequest('Request contains duplicate address pair.', 'DuplicateAddressPairInRequest');
  return checked;
}
