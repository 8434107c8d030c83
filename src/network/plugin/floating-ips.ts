import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { badRequest, conflict, NeutronFault, notFound } from '../errors.js';
import { withIpamRetry } from '../ipam/ip-allocator.js';
import { normalizeIp, parseIp } from '../ipam/ip-address.js';
import type { ResourceView } from './caller.js';
import type { PluginDeps } from './plugin-deps.js';
import type { PortPlugin } from './ports.js';
import type { QuotaPlugin } from './quotas.js';
import { newStandardColumns, standardView } from './standard-attributes.js';

export type FloatingIpRow = ResourceRow<'net_floating_ips'>;

export interface FloatingIpCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly floating_network_id: string;
  readonly floating_ip_address?: string;
  readonly subnet_id?: string;
  readonly port_id?: string | null;
  readonly fixed_ip_address?: string | null;
  readonly description?: string;
}

export type FloatingIpUpdate = Pick<FloatingIpCreate, 'port_id' | 'fixed_ip_address' | 'description'>;

/** Floating IPs: an address (a port of device_owner network:floatingip) on an external network, mapped to a port's fixed IP. */
export class FloatingIpPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
    private readonly ports: PortPlugin,
  ) {}

  async create(projectId: string, body: FloatingIpCreate): Promise<ResourceView> {
    const id = randomUUID();
    await withIpamRetry(this.deps.store, async (store) => {
      const network = await store.networks.find(body.floating_network_id);
      if (network === undefined) throw notFound('Network', body.floating_network_id);
      if (!network.external) throw badRequest(`Bad floatingip request: Network ${network.id} is not a valid external network.`);
      await this.quotas.check(store, projectId, 'floatingip');
      const request =
        body.floating_ip_address !== undefined || body.subnet_id !== undefined
          ? [{ ...(body.subnet_id === undefined ? {} : { subnet_id: body.subnet_id }), ...(body.floating_ip_address === undefined ? {} : { ip_address: body.floating_ip_address }) }]
          : undefined;
      const portId = await this.ports.insert(store, '', { network_id: network.id, device_id: id, device_owner: 'network:floatingip', ...(request === undefined ? {} : { fixed_ips: request }) }, undefined);
      const address = (await this.ports.fixedIps(store, portId)).find((ip) => parseIp(ip.ip_address)?.version === 4) ?? (await this.ports.fixedIps(store, portId))[0];
      if (address === undefined) throw badRequest(`Bad floatingip request: Network ${network.id} has no subnet to take an address from.`);
      await store.floatingIps.insert({
        id,
        project_id: projectId,
        floating_network_id: network.id,
        floating_port_id: portId,
        floating_ip_address: address.ip_address,
        port_id: null,
        fixed_ip_address: null,
        router_id: null,
        status: 'DOWN',
        ...newStandardColumns(store, body.description),
      });
      if (body.port_id !== undefined && body.port_id !== null) await this.#associate(store, id, projectId, network.id, body.port_id, body.fixed_ip_address ?? undefined);
    });
    return this.get(id);
  }

  /**
   * Maps the floating IP to a fixed IP of the port, through the router that joins the port's
   * subnet to the floating IP's network: 404 when no router does, 409 when another floating IP
   * already maps that fixed IP.
   */
  async #associate(store: NetworkStore, id: string, projectId: string, floatingNetworkId: string, portId: string, fixedIpAddress: string | undefined): Promise<void> {
    const port = await store.ports.find(portId);
    if (port === undefined || port.project_id !== projectId) throw notFound('Port', portId);
    const fixedIps = await this.ports.fixedIps(store, portId);
    const wanted = fixedIpAddress === undefined ? undefined : normalizeIp(fixedIpAddress);
    const fixed = wanted === undefined ? fixedIps.find((ip) => parseIp(ip.ip_address)?.version === 4) : fixedIps.find((ip) => ip.ip_address === wanted);
    if (fixed === undefined) {
      if (fixedIpAddress !== undefined) throw badRequest(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIpAddress}.`);
      throw badRequest(`Bad floatingip request: Port ${portId} does not have any IPv4 address.`);
    }
    const taken = (await store.floatingIps.where('port_id', [portId])).find((other) => other.id !== id && other.fixed_ip_address === fixed.ip_address);
    if (taken !== undefined) {
      throw conflict('FloatingIPPortAlreadyAssociated', `Cannot associate floating IP ${taken.floating_ip_address} (${id}) with port ${portId} using fixed IP ${fixed.ip_address}, as that fixed IP already has a floating IP on external network ${floatingNetworkId}.`);
    }
    const routerId = await this.#routerBetween(store, floatingNetworkId, fixed.subnet_id);
    if (routerId === undefined) {
      throw new NeutronFault(
        404,
        'ExternalGatewayForFloatingIPNotFound',
        `External network ${floatingNetworkId} is not reachable from subnet ${fixed.subnet_id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
      );
    }
    await store.floatingIps.update(id, { port_id: portId, fixed_ip_address: fixed.ip_address, router_id: routerId });
  }

  /** The router with a gateway on the external network and an interface on the subnet. */
  async #routerBetween(store: NetworkStore, externalNetworkId: string, subnetId: string): Promise<string | undefined> {
    const subnetHolders = (await store.ipAllocations.ofSubnet(subnetId)).map((allocation) => allocation.port_id);
    const interfaces = (await store.ports.where('id', subnetHolders)).filter((port) => port.device_owner === 'network:router_interface');
    for (const port of interfaces) {
      const router = await store.routers.find(port.device_id);
      const gateway = router?.gw_port_id === null || router === undefined ? undefined : await store.ports.find(router.gw_port_id);
      if (gateway?.network_id === externalNetworkId) return router?.id;
    }
    return undefined;
  }

  async row(id: string, store: NetworkStore = this.deps.store): Promise<FloatingIpRow> {
    const row = await store.floatingIps.find(id);
    if (row === undefined) throw notFound('Floating IP', id, 'FloatingIPNotFound');
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  async list(projectId: string | undefined): Promise<ResourceView[]> {
    return this.views(this.deps.store, await this.deps.store.floatingIps.list(projectId));
  }

  async update(id: string, body: FloatingIpUpdate): Promise<ResourceView> {
    await this.deps.store.transaction(async (store) => {
      const floating = await this.row(id, store);
      const changes: ResourceChanges<'net_floating_ips'> = body.description === undefined ? {} : { description: body.description };
      await store.floatingIps.update(id, changes);
      if (body.port_id === null) {
        await store.floatingIps.update(id, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' });
      } else if (body.port_id !== undefined) {
        await this.#associate(store, id, floating.project_id, floating.floating_network_id, body.port_id, body.fixed_ip_address ?? undefined);
      }
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const floating = await this.row(id, store);
      await store.tags.removeAll('floatingips', id);
      await store.floatingIps.delete(id);
      await this.ports.remove(store, floating.floating_port_id);
    });
  }

  async views(store: NetworkStore, rows: readonly FloatingIpRow[]): Promise<ResourceView[]> {
    const tags = await store.tags.of('floatingips', rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      floating_network_id: row.floating_network_id,
      floating_ip_address: row.floating_ip_address,
      router_id: row.router_id,
      port_id: row.port_id,
      fixed_ip_address: row.fixed_ip_address,
      status: row.status,
      ...standardView(row, tags.get(row.id) ?? []),
    }));
  }
}
