import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { withIpamRetry } from '../ipam/ip-allocator.js';
import { cidrContains, cidrsOverlap, parseCidr, parseIp, type Cidr } from '../ipam/ip-address.js';
import type { ResourceView } from './caller.js';
import type { FixedIp, FixedIpRequest } from './fixed-ips.js';
import type { PluginDeps } from './plugin-deps.js';
import type { PortPlugin, PortRow } from './ports.js';
import type { QuotaPlugin } from './quotas.js';
import { newStandardColumns, standardView } from './standard-attributes.js';

export type RouterRow = ResourceRow<'net_routers'>;

export interface ExternalGatewayInfo {
  readonly network_id: string;
  readonly enable_snat?: boolean;
  readonly external_fixed_ips?: readonly FixedIpRequest[];
}

export interface RouterCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly admin_state_up?: boolean;
  readonly external_gateway_info?: ExternalGatewayInfo | null;
}

export type RouterUpdate = Omit<RouterCreate, 'project_id' | 'tenant_id'>;

/** An add/remove_router_interface body: a subnet or a port. */
export interface InterfaceRequest {
  readonly subnet_id?: string;
  readonly port_id?: string;
}

const GATEWAY_OWNER = 'network:router_gateway';
const INTERFACE_OWNER = 'network:router_interface';
/** Owners of a router's internal ends, in any of Neutron's router kinds (its ROUTER_INTERFACE_OWNERS). */
export const ROUTER_INTERFACE_OWNERS: ReadonlySet<string> = new Set([INTERFACE_OWNER, 'network:router_interface_distributed', 'network:ha_router_replicated_interface']);

/** Routers: a gateway port on an external network (with SNAT) and an interface port per subnet. */
export class RouterPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
    private readonly ports: PortPlugin,
  ) {}

  async create(projectId: string, body: RouterCreate): Promise<ResourceView> {
    const id = randomUUID();
    await withIpamRetry(this.deps.store, async (store) => {
      await this.quotas.check(store, projectId, 'router');
      await store.routers.insert({
        id,
        project_id: projectId,
        name: body.name ?? '',
        admin_state_up: body.admin_state_up ?? true,
        status: 'ACTIVE',
        gw_port_id: null,
        enable_snat: true,
        ...newStandardColumns(store, body.description),
      });
      if (body.external_gateway_info !== undefined && body.external_gateway_info !== null) await this.#setGateway(store, id, body.external_gateway_info);
    });
    return this.get(id);
  }

  /** A gateway port on the external network: 400 when the network is not external. */
  async #setGateway(store: NetworkStore, routerId: string, info: ExternalGatewayInfo): Promise<void> {
    const network = await store.networks.find(info.network_id);
    if (network === undefined) throw notFound('Network', info.network_id);
    if (!network.external) throw badRequest(`Bad router request: Network ${info.network_id} is not an external network.`);
    const portId = await this.ports.insert(
      store,
      '',
      { network_id: network.id, device_id: routerId, device_owner: GATEWAY_OWNER, ...(info.external_fixed_ips === undefined ? {} : { fixed_ips: info.external_fixed_ips }) },
      undefined,
    );
    await store.routerPorts.insert({ port_id: portId, router_id: routerId, port_type: GATEWAY_OWNER });
    await store.routers.update(routerId, { gw_port_id: portId, enable_snat: info.enable_snat ?? true });
  }

  async #clearGateway(store: NetworkStore, router: RouterRow): Promise<void> {
    if (router.gw_port_id === null) return;
    if ((await store.floatingIps.where('router_id', [router.id])).length > 0) {
      throw conflict('RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${router.id}, since a gateway to external network is required by one or more floating IPs.`);
    }
    await store.routerPorts.delete(router.gw_port_id);
    await this.ports.remove(store, router.gw_port_id);
    await store.routers.update(router.id, { gw_port_id: null, enable_snat: true });
  }

  async row(id: string, store: NetworkStore = this.deps.store): Promise<RouterRow> {
    const row = await store.routers.find(id);
    if (row === undefined) throw notFound('Router', id);
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  async list(projectId: string | undefined): Promise<ResourceView[]> {
    return this.views(this.deps.store, await this.deps.store.routers.list(projectId));
  }

  async update(id: string, body: RouterUpdate): Promise<ResourceView> {
    await withIpamRetry(this.deps.store, async (store) => {
      const router = await this.row(id, store);
      const changes: ResourceChanges<'net_routers'> = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.admin_state_up === undefined ? {} : { admin_state_up: body.admin_state_up }),
      };
      await store.routers.update(id, changes);
      const info = body.external_gateway_info;
      if (info === undefined) return;
      const gateway = router.gw_port_id === null ? undefined : await store.ports.find(router.gw_port_id);
      if (info !== null && gateway?.network_id === info.network_id && info.external_fixed_ips === undefined) {
        await store.routers.update(id, { enable_snat: info.enable_snat ?? true });
        return;
      }
      await this.#clearGateway(store, router);
      if (info !== null) await this.#setGateway(store, id, info);
    });
    return this.get(id);
  }

  /** 409 RouterInUse while it has interfaces; its gateway goes with it. */
  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const router = await this.row(id, store);
      if ((await store.routerPorts.ofRouter(id)).some((link) => link.port_type === INTERFACE_OWNER)) {
        throw conflict('RouterInUse', `Router ${id} still has ports`);
      }
      await this.#clearGateway(store, router);
      await store.tags.removeAll('routers', id);
      await store.routers.delete(id);
    });
  }

  /** Joins a subnet (a port on it holding its gateway address) or an unused port to the router. */
  async addInterface(id: string, request: InterfaceRequest): Promise<ResourceView> {
    return withIpamRetry(this.deps.store, async (store) => {
      const router = await this.row(id, store);
      const interfaces = await this.#interfaceSubnets(store, id);
      let port: PortRow;
      if (request.port_id !== undefined) {
        port = await this.ports.row(request.port_id, store);
        if (port.device_id !== '' || port.device_owner !== '') throw conflict('PortInUse', `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`);
        const fixed = await this.ports.fixedIps(store, port.id);
        if (fixed.length === 0) throw badRequest(`Bad router request: Router port must have at least one fixed IP.`);
        for (const ip of fixed) await this.#refuseOverlap(store, interfaces, ip.subnet_id, id);
        await store.ports.update(port.id, { device_id: id, device_owner: INTERFACE_OWNER });
      } else {
        const subnet = await store.subnets.find(request.subnet_id ?? '');
        if (subnet === undefined) throw notFound('Subnet', request.subnet_id ?? '');
        if (subnet.gateway_ip === null) throw badRequest(`Bad router request: Subnet ${subnet.id} does not have a gateway IP.`);
        await this.#refuseOverlap(store, interfaces, subnet.id, id);
        const portId = await this.ports.insert(
          store,
          router.project_id,
          { network_id: subnet.network_id, device_id: id, device_owner: INTERFACE_OWNER, fixed_ips: [{ subnet_id: subnet.id, ip_address: subnet.gateway_ip }] },
          undefined,
        );
        port = await this.ports.row(portId, store);
      }
      await store.routerPorts.insert({ port_id: port.id, router_id: id, port_type: INTERFACE_OWNER });
      await store.routers.update(id, {});
      return this.#interfaceInfo(router, port, await this.ports.fixedIps(store, port.id));
    });
  }

  async removeInterface(id: string, request: InterfaceRequest): Promise<ResourceView> {
    return this.deps.store.transaction(async (store) => {
      const router = await this.row(id, store);
      const links = (await store.routerPorts.ofRouter(id)).filter((link) => link.port_type === INTERFACE_OWNER);
      const fixed = await store.ipAllocations.ofPorts(links.map((link) => link.port_id));
      const portId =
        request.port_id ?? fixed.find((allocation) => allocation.subnet_id === request.subnet_id)?.port_id;
      if (portId === undefined || !links.some((link) => link.port_id === portId)) {
        if (request.port_id !== undefined) throw notFound('Router interface for port', request.port_id, 'RouterInterfaceNotFound');
        throw notFound(`Router ${id} does not have an interface with id`, request.subnet_id ?? '', 'RouterInterfaceNotFoundForSubnet');
      }
      const port = await this.ports.row(portId, store);
      const portFixed = fixed.filter((allocation) => allocation.port_id === portId);
      const info = this.#interfaceInfo(router, port, portFixed.map((a) => ({ subnet_id: a.subnet_id, ip_address: a.ip_address })));
      const cidrs = (await store.subnets.where('id', portFixed.map((a) => a.subnet_id))).flatMap((subnet) => parseCidr(subnet.cidr) ?? []);
      const floatings = await store.floatingIps.where('router_id', [id]);
      if (floatings.some((floating) => cidrs.some((cidr) => holds(cidr, floating.fixed_ip_address)))) {
        throw conflict('RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${portFixed[0]?.subnet_id ?? ''} on router ${id} cannot be deleted, as it is required by one or more floating IPs.`);
      }
      await store.routerPorts.delete(portId);
      await this.ports.remove(store, portId);
      await store.routers.update(id, {});
      return info;
    });
  }

  /** The subnets a router's interfaces are on. */
  async #interfaceSubnets(store: NetworkStore, routerId: string): Promise<string[]> {
    const links = (await store.routerPorts.ofRouter(routerId)).filter((link) => link.port_type === INTERFACE_OWNER);
    return (await store.ipAllocations.ofPorts(links.map((link) => link.port_id))).map((allocation) => allocation.subnet_id);
  }

  /** 400 when the router already has an interface on the subnet or on one overlapping it. */
  async #refuseOverlap(store: NetworkStore, interfaceSubnets: readonly string[], subnetId: string, routerId: string): Promise<void> {
    if (interfaceSubnets.includes(subnetId)) throw badRequest(`Bad router request: Router already has a port on subnet ${subnetId}.`);
    const subnet = await store.subnets.find(subnetId);
    const cidr = subnet === undefined ? undefined : parseCidr(subnet.cidr);
    for (const other of await store.subnets.where('id', interfaceSubnets)) {
      const otherCidr = parseCidr(other.cidr);
      if (cidr !== undefined && otherCidr !== undefined && cidrsOverlap(cidr, otherCidr)) {
        throw badRequest(`Bad router request: Cidr ${subnet?.cidr ?? ''} of subnet ${subnetId} overlaps with cidr ${other.cidr} of subnet ${other.id} on router ${routerId}.`);
      }
    }
  }

  #interfaceInfo(router: RouterRow, port: PortRow, fixed: readonly FixedIp[]): ResourceView {
    return {
      id: router.id,
      tenant_id: router.project_id,
      project_id: router.project_id,
      port_id: port.id,
      network_id: port.network_id,
      subnet_id: fixed[0]?.subnet_id,
      subnet_ids: fixed.map((ip) => ip.subnet_id),
    };
  }

  async views(store: NetworkStore, rows: readonly RouterRow[]): Promise<ResourceView[]> {
    const tags = await store.tags.of('routers', rows.map((row) => row.id));
    const gatewayIds = rows.flatMap((row) => (row.gw_port_id === null ? [] : [row.gw_port_id]));
    const gateways = await store.ports.where('id', gatewayIds);
    const gatewayIps = await store.ipAllocations.ofPorts(gatewayIds);
    return rows.map((row) => {
      const gateway = gateways.find((port) => port.id === row.gw_port_id);
      return {
        id: row.id,
        name: row.name,
        admin_state_up: row.admin_state_up,
        status: row.status,
        external_gateway_info:
          gateway === undefined
            ? null
            : {
                network_id: gateway.network_id,
                enable_snat: row.enable_snat,
                external_fixed_ips: gatewayIps.filter((ip) => ip.port_id === gateway.id).map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
              },
        routes: [],
        ...standardView(row, tags.get(row.id) ?? []),
      };
    });
  }
}

function holds(cidr: Cidr, address: string | null): boolean {
  const parsed = address === null ? undefined : parseIp(address);
  return parsed !== undefined && cidrContains(cidr, parsed);
}
