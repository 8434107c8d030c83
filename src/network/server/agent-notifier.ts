/**
 * Neutron's agent notifiers: after a change, the agents that must act are told, each with the
 * whole desired state of the object (see host-state.ts for who holds what). A host that no longer
 * needs a network after a port or router left it is told to let the network go.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NetworkType } from '../agent/datapath-spec.js';
import type { AgentVerbs } from '../agent/rpc-api.js';
import type { NetworkAgentRpcClient } from '../agent/rpc-client.js';
import type { ResourceRow } from '../db/store/resource-rows.js';
import type { HostStateBuilder, PortTunnelChange } from './host-state.js';

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
   * (Neutron's l2population remove_fdb_entries, then add_fdb_entries); a host that came to hold
   * the network through the port hears its whole table, as an agent's first port brings it there.
   */
  async portChanged(before: PortRow | undefined, after: PortRow | undefined): Promise<void> {
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
    // A port that arrived, moved, or changed its addresses: the others' unicast and responder entries follow.
    const arrived = before === undefined || oldHost !== newHost || before.binding_vif_type !== 'bridge';
    const joined = arrived && (await this.state.holdsThroughPortAlone(after.network_id, newHost, after.id));
    if (joined) await this.#cast(newHost, 'tunnel_peers_update', await this.state.tunnelEntries(after.network_id, [newHost], network.network_type));
    const holders = await this.state.hostsOfNetwork(after.network_id);
    await this.#announcePort('add_fdb_entries', after, newHost, { holders, flooding: joined, withAddresses: true, networkType: network.network_type });
  }

  /** The other holders of the port's network hear that one port's entries (nothing unless VXLAN). */
  async #announcePort(verb: 'add_fdb_entries' | 'remove_fdb_entries', port: PortRow, host: string, change: PortTunnelChange): Promise<void> {
    for (const [holder, entries] of await this.state.portTunnelEntries(port.network_id, port, host, change)) await this.#cast(holder, verb, entries);
  }

  /** The hosts holding a VXLAN network each hear their whole table: whom to flood it to now and where its ports are (Neutron's l2population fdb entries). */
  async #announcePeers(networkId: string, networkType?: NetworkType): Promise<void> {
    for (const [host, entries] of await this.state.tunnelEntriesOfHolders(networkId, networkType)) await this.#cast(host, 'tunnel_peers_update', entries);
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

  /** A router, its interfaces, gateway or floating IPs changed: the l3 host rewires it and lets go of networks it no longer needs. */
  async routerChanged(routerId: string, networksBefore: readonly string[]): Promise<void> {
    const host = this.state.l3Host;
    const state = await this.state.router(routerId);
    if (state === undefined) await this.#cast(host, 'router_delete', { router_id: routerId });
    else await this.#cast(host, 'router_update', state);
    const now = new Set(state?.networks.map((network) => network.id) ?? []);
    for (const networkId of networksBefore) if (!now.has(networkId)) await this.#releaseNetwork(host, networkId);
    // The l3 host joined or left these networks: their other hosts hear of it.
    const changed = [...now].filter((id) => !networksBefore.includes(id)).concat(networksBefore.filter((id) => !now.has(id)));
    for (const networkId of changed) await this.#announcePeers(networkId);
  }

  /** The networks a router has ends on, before a change (for routerChanged). */
  async routerNetworks(routerId: string): Promise<string[]> {
    return (await this.state.router(routerId))?.networks.map((network) => network.id) ?? [];
  }

  async #releaseNetwork(host: string, networkId: string): Promise<void> {
    if (!(await this.state.hostsOfNetwork(networkId)).includes(host)) await this.#cast(host, 'network_delete', { network_id: networkId });
  }
}
