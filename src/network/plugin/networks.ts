import { randomUUID } from 'node:crypto';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import type { NetworkStore } from '../db/network-store.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { withIpamRetry } from '../ipam/ip-allocator.js';
import type { ResourceView } from './caller.js';
import type { PluginDeps } from './plugin-deps.js';
import type { QuotaPlugin } from './quotas.js';
import type { SecurityGroupPlugin } from './security-groups.js';
import { allocateSegment } from './segments.js';
import { newStandardColumns, standardView } from './standard-attributes.js';

export type NetworkRow = ResourceRow<'net_networks'>;

/** A create body's attributes (Neutron's names). */
export interface NetworkCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly admin_state_up?: boolean;
  readonly shared?: boolean;
  readonly 'router:external'?: boolean;
  readonly mtu?: number;
  readonly port_security_enabled?: boolean;
  readonly 'provider:network_type'?: string;
  readonly 'provider:physical_network'?: string;
  readonly 'provider:segmentation_id'?: number;
}

export type NetworkUpdate = Omit<NetworkCreate, 'project_id' | 'tenant_id' | 'provider:network_type' | 'provider:physical_network' | 'provider:segmentation_id'>;

/** VXLAN's encapsulation takes 50 bytes of the physical MTU (IPv4 outer header). */
const VXLAN_OVERHEAD = 50;

/** Networks: provider segments, MTU, sharing, and deletion only when no one's ports remain. */
export class NetworkPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
    private readonly securityGroups: SecurityGroupPlugin,
  ) {}

  async create(projectId: string, body: NetworkCreate): Promise<ResourceView> {
    // Neutron's handler of a network's BEFORE_CREATE: the project's default group exists from its
    // first network on (quota usage counts it), not only from its first instance port.
    if (projectId !== '') await this.securityGroups.ensureDefault(projectId);
    const id = randomUUID();
    const row = await withIpamRetry(this.deps.store, async (store) => {
      await this.quotas.check(store, projectId, 'network');
      const segment = await allocateSegment(store, this.deps.segments, id, {
        ...(body['provider:network_type'] === undefined ? {} : { networkType: body['provider:network_type'] }),
        ...(body['provider:physical_network'] === undefined ? {} : { physicalNetwork: body['provider:physical_network'] }),
        ...(body['provider:segmentation_id'] === undefined ? {} : { segmentationId: body['provider:segmentation_id'] }),
      });
      const maxMtu = this.deps.physnetMtu - (segment.networkType === 'vxlan' ? VXLAN_OVERHEAD : 0);
      if (body.mtu !== undefined && body.mtu > maxMtu) {
        throw badRequest(`Invalid input for operation: Requested MTU is too big, maximum is ${maxMtu}.`, 'InvalidInput');
      }
      const network: NetworkRow = {
        id,
        project_id: projectId,
        name: body.name ?? '',
        admin_state_up: body.admin_state_up ?? true,
        status: 'ACTIVE',
        shared: body.shared ?? false,
        external: body['router:external'] ?? false,
        mtu: body.mtu ?? maxMtu,
        port_security_enabled: body.port_security_enabled ?? true,
        network_type: segment.networkType,
        physical_network: segment.physicalNetwork,
        segmentation_id: segment.segmentationId,
        ...newStandardColumns(store, body.description),
      };
      await store.networks.insert(network);
      return network;
    });
    return (await this.views(this.deps.store, [row]))[0] ?? {};
  }

  /** The row, or 404 NetworkNotFound. */
  async row(id: string, store: NetworkStore = this.deps.store): Promise<NetworkRow> {
    const row = await store.networks.find(id);
    if (row === undefined) throw notFound('Network', id);
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  /** Every network of the project, and the shared and external ones (all networks for an administrator). */
  async list(projectId: string | undefined): Promise<ResourceView[]> {
    const { store } = this.deps;
    const rows = projectId === undefined ? await store.networks.list() : await this.#visibleRows(store, projectId);
    return this.views(store, rows);
  }

  async #visibleRows(store: NetworkStore, projectId: string): Promise<NetworkRow[]> {
    const byId = new Map<string, NetworkRow>();
    for (const row of [...(await store.networks.list(projectId)), ...(await store.networks.where('shared', [true])), ...(await store.networks.where('external', [true]))]) {
      byId.set(row.id, row);
    }
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async update(id: string, body: NetworkUpdate): Promise<ResourceView> {
    await this.deps.store.transaction(async (store) => {
      const network = await this.row(id, store);
      if (body.mtu !== undefined) {
        const maxMtu = this.deps.physnetMtu - (network.network_type === 'vxlan' ? VXLAN_OVERHEAD : 0);
        if (body.mtu > maxMtu) throw badRequest(`Invalid input for operation: Requested MTU is too big, maximum is ${maxMtu}.`, 'InvalidInput');
      }
      if (body.shared === false && network.shared) {
        const foreign = (await store.ports.where('network_id', [id])).some((port) => port.project_id !== network.project_id && port.project_id !== '');
        if (foreign) {
          throw conflict('InvalidSharedSetting', `Unable to reconfigure sharing settings for network ${id}. Multiple tenants are using it.`);
        }
      }
      const changes: ResourceChanges<'net_networks'> = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.admin_state_up === undefined ? {} : { admin_state_up: body.admin_state_up }),
        ...(body.shared === undefined ? {} : { shared: body.shared }),
        ...(body['router:external'] === undefined ? {} : { external: body['router:external'] }),
        ...(body.mtu === undefined ? {} : { mtu: body.mtu }),
        ...(body.port_security_enabled === undefined ? {} : { port_security_enabled: body.port_security_enabled }),
      };
      await store.networks.update(id, changes);
    });
    return this.get(id);
  }

  /** 409 NetworkInUse while ports other than the network's own (DHCP) are on it; its subnets go with it. */
  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      await this.row(id, store);
      // Neutron's l3 plugin deletes an external network's floating IPs that no port holds first.
      const freeFloatingIps = (await store.floatingIps.where('floating_network_id', [id])).filter((floating) => floating.port_id === null);
      const autoDeleted = new Set(['network:dhcp', ...freeFloatingIps.map((floating) => floating.floating_port_id)]);
      const ports = await store.ports.where('network_id', [id]);
      if (ports.some((port) => !autoDeleted.has(port.device_owner) && !autoDeleted.has(port.id))) {
        throw conflict('NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
      }
      for (const floating of freeFloatingIps) {
        await store.tags.removeAll('floatingips', floating.id);
        await store.floatingIps.delete(floating.id);
      }
      for (const port of ports) {
        await store.ipAllocations.deleteOfPort(port.id);
        await store.portSecurityGroups.set(port.id, []);
        await store.tags.removeAll('ports', port.id);
        await store.ports.delete(port.id);
      }
      for (const subnet of await store.subnets.where('network_id', [id])) {
        await store.tags.removeAll('subnets', subnet.id);
        await store.subnets.delete(subnet.id);
      }
      await store.segments.release(id);
      await store.tags.removeAll('networks', id);
      await store.networks.delete(id);
    });
  }

  async views(store: NetworkStore, rows: readonly NetworkRow[]): Promise<ResourceView[]> {
    const ids = rows.map((row) => row.id);
    const tags = await store.tags.of('networks', ids);
    const subnets = await store.subnets.where('network_id', ids);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      admin_state_up: row.admin_state_up,
      mtu: row.mtu,
      status: row.status,
      subnets: subnets.filter((subnet) => subnet.network_id === row.id).map((subnet) => subnet.id),
      shared: row.shared,
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      'router:external': row.external,
      port_security_enabled: row.port_security_enabled,
      'provider:network_type': row.network_type,
      'provider:physical_network': row.physical_network,
      'provider:segmentation_id': row.segmentation_id,
      ...standardView(row, tags.get(row.id) ?? []),
    }));
  }
}
