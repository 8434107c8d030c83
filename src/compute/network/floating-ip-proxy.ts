/**
 * Nova's floating IP proxy (os-floating-ips and os-floating-ip-pools up to 2.35, the
 * addFloatingIp and removeFloatingIp actions up to 2.43; nova/network/neutron.py): Neutron's
 * floating IPs in the nova-network shape, with the caller's token. A pool is an external network.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, Forbidden, NimbusError, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NeutronApi, NeutronFloatingIp, NeutronNetwork, NeutronSession } from './neutron-api.js';

const LOG = getLogger('nimbus.compute.api');

export interface NovaFloatingIp {
  readonly id: string;
  readonly ip: string;
  readonly pool: string;
  readonly fixed_ip: string | null;
  readonly instance_id: string | null;
}

function isNotFound(error: unknown): boolean {
  return error instanceof NimbusError && error.status === 404;
}

export class FloatingIpProxy {
  constructor(private readonly neutron: NeutronApi) {}

  /** The pools (external networks) the caller may allocate from, by name (id when unnamed). */
  async pools(context: RequestContext): Promise<string[]> {
    const networks = await this.neutron.forUser(context).listNetworks({ 'router:external': true });
    return networks.map((network) => network.name || network.id);
  }

  /** The caller's project's floating IPs (Nova's get_floating_ips_by_project). */
  async list(context: RequestContext): Promise<NovaFloatingIp[]> {
    const session = this.neutron.forUser(context);
    const floating = await session.listFloatingIps({ tenant_id: context.projectId ?? '' });
    return this.#views(session, floating);
  }

  async get(context: RequestContext, id: string): Promise<NovaFloatingIp> {
    const session = this.neutron.forUser(context);
    const [view] = await this.#views(session, [await this.#byId(session, id)]);
    return view as NovaFloatingIp;
  }

  /** Allocates from the pool (by name or id; `[neutron] default_floating_pool` when none is named). */
  async allocate(context: RequestContext, pool: string | undefined): Promise<NovaFloatingIp> {
    const session = this.neutron.forUser(context);
    const name = pool ?? this.neutron.defaultFloatingPool;
    const networkId = await this.#poolId(session, name);
    const created = await session.request('POST', '/floatingips', { floatingip: { floating_network_id: networkId } }).catch((error: unknown) => {
      if (!(error instanceof NimbusError)) throw error;
      // Neutron answers both an exhausted pool and its quota with 409; the message tells them apart.
      if (error.status === 409 && /quota/i.test(error.message)) throw new Forbidden(pool === undefined ? 'IP allocation over quota.' : `IP allocation over quota in pool ${pool}.`);
      if (error.status === 409) throw new NotFound(pool === undefined ? 'No more floating IPs available.' : `No more floating IPs in pool ${pool}.`);
      if (error.status === 400) throw new BadRequest(error.message);
      throw error;
    });
    const floating = (created as { floatingip: NeutronFloatingIp }).floatingip;
    LOG.info(`Allocated floating IP ${floating.floating_ip_address} from pool ${name}`);
    const [view] = await this.#views(session, [floating]);
    return view as NovaFloatingIp;
  }

  /** Releases the address, associated or not (Nova's disassociate_and_release_floating_ip). */
  async release(context: RequestContext, id: string): Promise<void> {
    const session = this.neutron.forUser(context);
    const floating = await this.#byId(session, id);
    LOG.info(`Releasing floating IP ${floating.floating_ip_address}`);
    await session.request('DELETE', `/floatingips/${encodeURIComponent(floating.id)}`).catch((error: unknown) => {
      if (isNotFound(error)) throw new NotFound(`Floating IP not found for address ${floating.floating_ip_address}.`);
      throw error;
    });
  }

  /**
   * addFloatingIp: maps the address to one of the server's fixed IPs (the one asked for, else its
   * first IPv4). Whatever Neutron refuses is Nova's 400, as Nova turns every failure here into one.
   */
  async associate(context: RequestContext, serverId: string, address: string, fixedAddress: string | undefined): Promise<void> {
    const session = this.neutron.forUser(context);
    const ports = await session.listPorts({ device_id: serverId });
    const fixedIps = ports.flatMap((port) => port.fixed_ips.map((ip) => ({ port: port.id, address: ip.ip_address })));
    if (ports.length === 0) throw new BadRequest('Instance network is not ready yet');
    if (fixedIps.length === 0) throw new BadRequest('No fixed IPs associated to instance');
    const fixed = fixedAddress === undefined ? fixedIps.find((ip) => !ip.address.includes(':')) : fixedIps.find((ip) => ip.address === fixedAddress);
    if (fixed === undefined) {
      if (fixedAddress !== undefined) throw new BadRequest('Specified fixed address not assigned to instance');
      throw new BadRequest(`Unable to associate floating IP ${address} to any fixed IPs for instance ${serverId}. Instance has no fixed IPv4 addresses to associate.`);
    }
    const floating = await this.#byAddress(session, address).catch((error: unknown) => {
      if (error instanceof NotFound) throw new NotFound('floating IP not found');
      throw error;
    });
    try {
      await session.request('PUT', `/floatingips/${encodeURIComponent(floating.id)}`, { floatingip: { port_id: fixed.port, fixed_ip_address: fixed.address } });
    } catch (error) {
      if (!(error instanceof NimbusError) || error.status >= 500) throw error;
      LOG.warning(`Unable to associate floating IP ${address} to fixed IP ${fixed.address} of instance ${serverId}: ${error.message}`);
      throw new BadRequest(`Unable to associate floating IP ${address} to fixed IP ${fixed.address} for instance ${serverId}. Error: ${error.message}`);
    }
    LOG.info(`Associated floating IP ${address} with fixed IP ${fixed.address}`, { instance: serverId });
  }

  /** removeFloatingIp: 409 unless the address is associated with this server. */
  async disassociate(context: RequestContext, serverId: string, address: string): Promise<void> {
    const session = this.neutron.forUser(context);
    const floating = await this.#byAddress(session, address);
    const instanceId = await this.#instanceOf(session, floating);
    if (floating.port_id === null || instanceId !== serverId) throw new Conflict(`Floating IP ${address} is not associated with instance ${serverId}.`);
    await session.request('PUT', `/floatingips/${encodeURIComponent(floating.id)}`, { floatingip: { port_id: null } });
    LOG.info(`Disassociated floating IP ${address}`, { instance: serverId });
  }

  async #byId(session: NeutronSession, id: string): Promise<NeutronFloatingIp> {
    const found = await session.request('GET', `/floatingips/${encodeURIComponent(id)}`).catch((error: unknown) => {
      if (isNotFound(error)) throw new NotFound(`Floating IP not found for ID ${id}`);
      throw error;
    });
    return (found as { floatingip: NeutronFloatingIp }).floatingip;
  }

  async #byAddress(session: NeutronSession, address: string): Promise<NeutronFloatingIp> {
    const found = await session.listFloatingIps({ floating_ip_address: address });
    if (found.length > 1) throw new Conflict(`Multiple floating IPs are found for address ${address}.`);
    const [floating] = found;
    if (floating === undefined) throw new NotFound(`Floating IP not found for address ${address}.`);
    return floating;
  }

  /** The external network of a pool name or id: 404 when there is none (Nova's FloatingIpPoolNotFound). */
  async #poolId(session: NeutronSession, nameOrId: string): Promise<string> {
    const external = await session.listNetworks({ 'router:external': true });
    const matches = external.filter((network) => network.id === nameOrId || network.name === nameOrId);
    if (matches.length > 1) throw new Conflict(`Multiple floating IP pools matches found for name '${nameOrId}'`);
    const [network] = matches;
    if (network === undefined) throw new NotFound('Floating IP pool not found.');
    return network.id;
  }

  /** The server behind a floating IP: its port's device. */
  async #instanceOf(session: NeutronSession, floating: NeutronFloatingIp): Promise<string | null> {
    if (floating.port_id === null) return null;
    const port = await session.getPort(floating.port_id).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    return port === undefined || port.device_id === '' ? null : port.device_id;
  }

  /** Nova's _translate_floating_ip_view: the pool by its network's name, the server by the port's device. */
  async #views(session: NeutronSession, floating: readonly NeutronFloatingIp[]): Promise<NovaFloatingIp[]> {
    if (floating.length === 0) return [];
    const networkIds = [...new Set(floating.map((fip) => fip.floating_network_id))];
    const networks = new Map<string, NeutronNetwork>((await session.listNetworks({ id: networkIds })).map((network) => [network.id, network]));
    const portIds = floating.flatMap((fip) => (fip.port_id === null ? [] : [fip.port_id]));
    const devices = new Map(portIds.length === 0 ? [] : (await session.listPorts({ id: portIds })).map((port) => [port.id, port.device_id]));
    return floating.map((fip) => {
      const network = networks.get(fip.floating_network_id);
      const device = fip.port_id === null ? undefined : devices.get(fip.port_id);
      return {
        id: fip.id,
        ip: fip.floating_ip_address,
        pool: network === undefined || network.name === '' ? fip.floating_network_id : network.name,
        fixed_ip: fip.fixed_ip_address,
        instance_id: device === undefined || device === '' ? null : device,
      };
    });
  }
}
