/**
 * The compute agent's side of Nova's nova/network/neutron.py API class: make or take the ports a
 * server asked for, bind them to this host, read back what the guest needs (its network info),
 * move bindings with the guest, and give the ports back when it goes.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { RequestedNetwork, RequestedNetworks } from '../conductor/rpc-api.js';
import type { NeutronApi, NeutronPort, NeutronSession } from './neutron-api.js';
import { vifBridge, vifDevname, type CachedVif, type NetworkInfo } from './network-info.js';
import { availableNetworks } from './available-networks.js';

const LOG = getLogger('nimbus.compute.network');

/** Neutron's default MTU where a network reports none. */
const DEFAULT_MTU = 1500;

/** What a server being built is, to the network side. */
export interface NetworkInstance {
  readonly uuid: string;
  readonly projectId: string;
  readonly availabilityZone: string;
}

/** A port the server is getting, before it is bound. */
export interface PreparedPort {
  readonly port: NeutronPort;
  /** The user passed it in: deleting the server unbinds it rather than deleting it. */
  readonly preserveOnDelete: boolean;
  readonly tag: string | null;
}

/** Nova's PortBindingFailed. */
export class PortBindingFailed extends NimbusError {
  constructor(portId: string) {
    super(400, `Binding failed for port ${portId}, please check neutron logs for more information.`);
  }
}

/** Nova's binding for an instance's port on `host`; device_owner `compute:<zone>`. */
function bindingFor(instance: NetworkInstance, host: string): Record<string, unknown> {
  return { device_id: instance.uuid, device_owner: `compute:${instance.availabilityZone}`, 'binding:host_id': host };
}

/** What deleting the server (or detaching the interface) leaves on a user's own port: Nova's _unbind_ports. */
const UNBOUND = { device_id: '', device_owner: '', 'binding:host_id': '', 'binding:profile': {} };

export class InstanceNetwork {
  constructor(private readonly neutron: NeutronApi) {}

  /**
   * Nova's allocate_for_instance up to the binding: the given ports are checked, a port is made on
   * each requested network (with the user's token, so quota and policy are the user's). Nothing
   * is bound yet, so the caller can start waiting for the ports' events first.
   */
  async preparePorts(context: RequestContext, instance: NetworkInstance, requested: RequestedNetworks, securityGroups: readonly string[]): Promise<PreparedPort[]> {
    const user = this.neutron.forUser(context);
    const wanted = await this.#resolve(user, instance, requested);
    const groupIds = wanted.some((request) => request.port === undefined) ? await securityGroupIds(user, instance.projectId, securityGroups) : [];
    const prepared: PreparedPort[] = [];
    try {
      for (const request of wanted) {
        const tag = request.tag ?? null;
        if (request.port !== undefined) {
          const port = await user.getPort(request.port);
          if (port.device_id !== '' && port.device_id !== instance.uuid) throw new NimbusError(409, `Port ${port.id} is still in use.`);
          prepared.push({ port, preserveOnDelete: true, tag });
          continue;
        }
        const port = await user.createPort({
          network_id: request.uuid,
          project_id: instance.projectId,
          admin_state_up: true,
          ...(request.fixedIp === undefined ? {} : { fixed_ips: [{ ip_address: request.fixedIp }] }),
          ...(groupIds.length === 0 ? {} : { security_groups: groupIds }),
        });
        LOG.debug(`Created port ${port.id} on network ${port.network_id}`, { instance: instance.uuid });
        prepared.push({ port, preserveOnDelete: false, tag });
      }
    } catch (error) {
      await this.release(context, instance, prepared);
      throw error;
    }
    return prepared;
  }

  /**
   * Binds the ports to `host` (an admin's update, as Nova's) and reads back the network info the
   * guest needs. A port Neutron could not bind is Nova's PortBindingFailed.
   */
  async bindPorts(context: RequestContext, instance: NetworkInstance, ports: readonly PreparedPort[], host: string): Promise<NetworkInfo> {
    const service = this.neutron.forService(context);
    const info: CachedVif[] = [];
    for (const { port, preserveOnDelete, tag } of ports) {
      const bound = await service.updatePort(port.id, bindingFor(instance, host));
      if (bound['binding:vif_type'] === 'binding_failed') throw new PortBindingFailed(port.id);
      info.push(await cachedVif(service, bound, preserveOnDelete, tag));
    }
    return info;
  }

  /**
   * Moves the instance's ports to `host` (Nova's setup_networks_on_host / migrate_instance_finish)
   * and answers the network info there: the guest's NICs are plugged into what that host has.
   */
  async rebind(context: RequestContext, instance: NetworkInstance, networkInfo: NetworkInfo, host: string): Promise<NetworkInfo> {
    if (networkInfo.length === 0) return networkInfo;
    const service = this.neutron.forService(context);
    const info: CachedVif[] = [];
    for (const vif of networkInfo) {
      const bound = await service.updatePort(vif.id, { 'binding:host_id': host });
      if (bound['binding:vif_type'] === 'binding_failed') throw new PortBindingFailed(vif.id);
      info.push(await cachedVif(service, bound, vif.preserveOnDelete, vif.tag));
    }
    LOG.info(`Ports bound to ${host}: ${info.map((vif) => vif.id).join(', ')}`, { instance: instance.uuid });
    return info;
  }

  /**
   * Nova's _get_instance_nw_info after a network-changed event: each cached port read again (its
   * addresses and floating IPs may have changed); a port gone from Neutron leaves the cache.
   */
  async refresh(context: RequestContext, networkInfo: NetworkInfo): Promise<NetworkInfo> {
    const service = this.neutron.forService(context);
    const info: CachedVif[] = [];
    for (const vif of networkInfo) {
      let port: NeutronPort;
      try {
        port = await service.getPort(vif.id);
      } catch (error) {
        if (error instanceof NimbusError && error.status === 404) continue;
        throw error;
      }
      info.push(await cachedVif(service, port, vif.preserveOnDelete, vif.tag));
    }
    return info;
  }

  /** Gives prepared ports back after a failed build: Nova's ports are deleted, the user's unbound. */
  async release(context: RequestContext, instance: NetworkInstance, ports: readonly PreparedPort[]): Promise<void> {
    await this.#giveBack(context, instance, ports.map(({ port, preserveOnDelete }) => ({ id: port.id, preserveOnDelete })));
  }

  /** Nova's deallocate_port_for_instance (an interface detach): its port deleted if Nova made it, else unbound. */
  async deallocatePort(context: RequestContext, instance: NetworkInstance, vif: CachedVif): Promise<void> {
    await this.#giveBack(context, instance, [{ id: vif.id, preserveOnDelete: vif.preserveOnDelete }]);
  }

  /**
   * Nova's deallocate_for_instance: every port bound to the instance (its info cache, and any
   * port Neutron lists with its device id) is deleted, except the user's own, which are unbound.
   */
  async deallocate(context: RequestContext, instance: NetworkInstance, networkInfo: NetworkInfo): Promise<void> {
    const service = this.neutron.forService(context);
    const preserved = new Set(networkInfo.filter((vif) => vif.preserveOnDelete).map((vif) => vif.id));
    const listed = await service.listPorts({ device_id: instance.uuid });
    const ids = new Set([...networkInfo.map((vif) => vif.id), ...listed.map((port) => port.id)]);
    await this.#giveBack(context, instance, [...ids].map((id) => ({ id, preserveOnDelete: preserved.has(id) })));
  }

  async #giveBack(context: RequestContext, instance: NetworkInstance, ports: readonly { id: string; preserveOnDelete: boolean }[]): Promise<void> {
    const service = this.neutron.forService(context);
    for (const { id, preserveOnDelete } of ports) {
      try {
        if (preserveOnDelete) await service.updatePort(id, UNBOUND);
        else await service.deletePort(id);
      } catch (error) {
        // Nova logs and goes on: one port that cannot be freed must not keep the others.
        if (!(error instanceof NimbusError && error.status === 404)) LOG.error(`Failed to release port ${id}: ${(error as Error).message}`, { instance: instance.uuid });
      }
    }
  }

  /** The networks to make ports on: `auto` is the project's one usable network (none: no NIC). */
  async #resolve(user: NeutronSession, instance: NetworkInstance, requested: RequestedNetworks): Promise<readonly RequestedNetwork[]> {
    if (requested === 'none') return [];
    if (requested !== 'auto') return requested;
    const networks = await availableNetworks(user, instance.projectId);
    // More than one was refused by the API (NetworkAmbiguous); none means no NIC, as Nova before 2.37.
    return networks.length === 1 ? [{ uuid: networks[0]?.id ?? '' }] : [];
  }
}

/** Security group names (or ids) of the create request as ids in the project (Nova's _process_security_groups). */
async function securityGroupIds(user: NeutronSession, projectId: string, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const groups = await user.listSecurityGroups({ project_id: projectId });
  return names.map((name) => {
    const matches = groups.filter((group) => group.name === name);
    if (matches.length > 1) throw new NimbusError(409, `Multiple security groups found matching '${name}'. Use an ID to be more specific.`);
    const found = matches[0] ?? groups.find((group) => group.id === name);
    if (found === undefined) throw new NimbusError(400, `Security group ${name} not found for project ${projectId}.`);
    return found.id;
  });
}

/** A bound port as the guest needs it: Nova's _build_vif_model with its network and floating IPs. */
async function cachedVif(service: NeutronSession, port: NeutronPort, preserveOnDelete: boolean, tag: string | null): Promise<CachedVif> {
  const [network, floatingIps, subnets] = await Promise.all([
    service.getNetwork(port.network_id),
    service.listFloatingIps({ port_id: port.id }),
    port.fixed_ips.length === 0 ? Promise.resolve([]) : service.listSubnets({ id: port.fixed_ips.map((ip) => ip.subnet_id) }),
  ]);
  const versionOf = new Map(subnets.map((subnet) => [subnet.id, subnet.ip_version]));
  return {
    id: port.id,
    address: port.mac_address,
    networkId: port.network_id,
    networkLabel: network.name,
    type: port['binding:vif_type'] ?? 'unbound',
    bridge: vifBridge(port.network_id, port['binding:vif_details'] ?? {}),
    devname: vifDevname(port.id),
    mtu: network.mtu ?? DEFAULT_MTU,
    fixedIps: port.fixed_ips.map((ip) => ({
      address: ip.ip_address,
      version: versionOf.get(ip.subnet_id) ?? (ip.ip_address.includes(':') ? 6 : 4),
      subnetId: ip.subnet_id,
      floatingIps: floatingIps.filter((fip) => fip.fixed_ip_address === ip.ip_address).map((fip) => fip.floating_ip_address),
    })),
    preserveOnDelete,
    tag,
  };
}
