/**
 * Neutron's agent notifiers: after a change, the agents that must act are told, each with the
 * whole desired state of the object (see host-state.ts for who holds what). A host that no longer
 * needs a network after a port or router left it is told to let the network go.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AgentVerbs } from '../agent/rpc-api.js';
import type { NetworkAgentRpcClient } from '../agent/rpc-client.js';
import type { ResourceRow } from '../db/store/resource-rows.js';
import type { HostStateBuilder, PortTunnelChange, RouterEnd, TunnelPort } from './host-state.js';

const LOG = getLogger('nimbus.network.agent_notifier');

type PortRow = ResourceRow<'net_ports'>;

export class AgentNotifier {
  constructor(
    private readonly state: HostStateBuilder,
    private readonly agents: NetworkAgentRpcClient,
  ) {}

  async #cast<V extends keyof AgentVerbs>(host: string, verb: V, args: AgentVerbs[V]): Promise<void> {
    try {
      await this.agents.cast(host, verb, args);
    } catch (error) {
      LOG.warning(`Cannot tell the network agent on ${host} to ${verb}: ${messageOf(error)}`);
    }
  }

  /** Subnets, DHCP or the network itself changed: every host holding it rewires it. */
  async networkChanged(networkId: string): Promise<void> {
    const hosts = await this.state.hostsOfNetwork(networkId);
    if (hosts.length === 0) return;
    const network = await this.state.network(networkId);
    if (network === undefined) return;
    for (const host of hosts) await this.#cast(host, 'network_update', { network });
  }

  /** A deleted network had no bound port, but an agent may still hold its bridge and DHCP: all are told. */
  async networkDeleted(networkId: string): Promise<void> {
    await this.agents.fanout('network_delete', { network_id: networkId }).catch((error: unknown) => LOG.warning(`Cannot announce the deletion of network ${networkId}: ${messageOf(error)}`));
  }

  /**
   * A port was created, changed or deleted: its old host lets it go, its new one (when the binding
   * succeeded) wires it. The other hosts holding a VXLAN network hear only that port's entries
   * (Neutron's l2population remove_fdb_entries, then add_fdb_entries; update_fdb_entries when its
   * fixed IPs changed on the same host, `addressesBefore` being its addresses before the update);
   * a host that came to hold the network through the port hears its whole table, as an agent's
   * first port brings it there.
   */
  async portChanged(before: PortRow | undefined, after: PortRow | undefined, addressesBefore: readonly string[] = []): Promise<void> {
    const oldHost = before?.binding_host_id ?? '';
    const newHost = after !== undefined && after.binding_vif_type === 'bridge' ? after.binding_host_id : '';
    if (before !== undefined && oldHost !== '' && oldHost !== newHost) {
      await this.#cast(oldHost, 'port_delete', { port_id: before.id, network_id: before.network_id });
      const holders = await this.state.hostsOfNetwork(before.network_id);
      const left = !holders.includes(oldHost);
      if (left) await this.#cast(oldHost, 'network_delete', { network_id: before.network_id });
      await this.#announcePort('remove_fdb_entries', before, oldHost, { holders, flooding: left, withAddresses: false });
    }
    if (after === undefined || newHost === '') return;
    const network = await this.state.network(after.network_id);
    if (network === undefined) return;
    const port = await this.state.port(after);
    const groups = await Promise.all(port.security_groups.map((id) => this.state.securityGroup(id)));
    await this.#cast(newHost, 'port_update', { port, network, security_groups: groups });
    if (network.network_type !== 'vxlan') return;
    const holders = await this.state.hostsOfNetwork(after.network_id);
    const arrived = before === undefined || oldHost !== newHost || before.binding_vif_type !== 'bridge';
    if (!arrived) {
      // Where it was: only its addresses can have changed (a bound port's MAC cannot, PortBound).
      const change = { holders, before: addressesBefore, after: port.fixed_ips.map((fixed) => fixed.ip_address), networkType: network.network_type };
      for (const [holder, entries] of await this.state.portAddressEntries(after.network_id, after, newHost, change)) await this.#cast(holder, 'update_fdb_entries', entries);
      return;
    }
    const joined = await this.state.holdsThroughPortsAlone(after.network_id, newHost, [after.id]);
    if (joined) await this.#cast(newHost, 'tunnel_peers_update', await this.state.tunnelEntries(after.network_id, [newHost], network.network_type));
    await this.#announcePort('add_fdb_entries', after, newHost, { holders, flooding: joined, withAddresses: true, networkType: network.network_type });
  }

  /** The other holders of the port's network hear that one port's entries (nothing unless VXLAN). */
  async #announcePort(verb: 'add_fdb_entries' | 'remove_fdb_entries', port: TunnelPort & { readonly network_id: string }, host: string, change: PortTunnelChange): Promise<void> {
    for (const [holder, entries] of await this.state.portTunnelEntries(port.network_id, port, host, change)) await this.#cast(holder, verb, entries);
  }

  /** A group's rules changed: hosts with ports in it rewrite them in place. */
  async groupChanged(groupId: string): Promise<void> {
    const hosts = await this.state.hostsOfGroups([groupId]);
    if (hosts.length === 0) return;
    const group = await this.state.securityGroup(groupId);
    for (const host of hosts) await this.#cast(host, 'security_group_update', { group });
  }

  async groupDeleted(groupId: string): Promise<void> {
    await this.agents.fanout('security_group_delete', { group_id: groupId }).catch((error: unknown) => LOG.warning(`Cannot announce the deletion of security group ${groupId}: ${messageOf(error)}`));
  }

  /**
   * A router, its interfaces, gateway or floating IPs changed: the l3 host rewires it and lets go
   * of networks it no longer needs. Its ends that came or went are the l3 host's ports to the
   * other holders of their networks, announced as any port's (the l3 host hears a network's whole
   * table when the router brought it there); an end that stayed with other addresses (its port
   * updated) is announced as a port's fixed IP change (chg_ip).
   */
  async routerChanged(routerId: string, endsBefore: readonly RouterEnd[]): Promise<void> {
    const host = this.state.l3Host;
    const state = await this.state.router(routerId);
    if (state === undefined) await this.#cast(host, 'router_delete', { router_id: routerId });
    else await this.#cast(host, 'router_update', state);
    const now = new Set(state?.networks.map((network) => network.id) ?? []);
    for (const networkId of new Set(endsBefore.map((end) => end.network_id))) if (!now.has(networkId)) await this.#releaseNetwork(host, networkId);
    const endsNow = await this.state.routerEnds(routerId);
    const [idsBefore, idsNow] = [new Set(endsBefore.map((end) => end.id)), new Set(endsNow.map((end) => end.id))];
    for (const end of endsBefore.filter((end) => !idsNow.has(end.id))) {
      const holders = await this.state.hostsOfNetwork(end.network_id);
      await this.#announcePort('remove_fdb_entries', end, host, { holders, flooding: !holders.includes(host), withAddresses: false });
    }
    for (const end of endsNow) {
      const addressesBefore = endsBefore.find((other) => other.id === end.id)?.ip_addresses;
      // Both lists come sorted from the store, so equal lists are unchanged addresses.
      if (addressesBefore === undefined || addressesBefore.join() === end.ip_addresses.join()) continue;
      const change = { holders: await this.state.hostsOfNetwork(end.network_id), before: addressesBefore, after: end.ip_addresses };
      for (const [holder, entries] of await this.state.portAddressEntries(end.network_id, end, host, change)) await this.#cast(holder, 'update_fdb_entries', entries);
    }
    const came = endsNow.filter((end) => !idsBefore.has(end.id));
    for (const networkId of new Set(came.map((end) => end.network_id))) {
      const ends = came.filter((end) => end.network_id === networkId);
      const joined = await this.state.holdsThroughPortsAlone(networkId, host, ends.map((end) => end.id));
      if (joined) await this.#cast(host, 'tunnel_peers_update', await this.state.tunnelEntries(networkId, [host]));
      const holders = await this.state.hostsOfNetwork(networkId);
      for (const end of ends) await this.#announcePort('add_fdb_entries', end, host, { holders, flooding: joined, withAddresses: true });
    }
  }

  /** The ends a router has, before a change (for routerChanged). */
  routerEnds(routerId: string): Promise<RouterEnd[]> {
    return this.state.routerEnds(routerId);
  }

  async #releaseNetwork(host: string, networkId: string): Promise<void> {
    if (!(await this.state.hostsOfNetwork(networkId)).includes(host)) await this.#cast(host, 'network_delete', { network_id: networkId });
  }
}
