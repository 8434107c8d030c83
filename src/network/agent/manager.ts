/**
 * The network agent of a host: Neutron's Linux bridge, DHCP and L3 agents in one process, since
 * one data path (datapath.ts) wires bridges, DHCP and routers alike. It listens on
 * `q-agent.<host>` for each host name it answers for (the all-in-one's compute hosts share one
 * kernel, so one agent serves all their names), applies each message with idempotent data path
 * calls, tells the server when a port is wired, and reports its state every interval. At start,
 * and when the server answers again after silence, it fetches everything its hosts should hold,
 * wires it, and removes what it holds but should not. A host that cannot wire anything (no
 * CAP_NET_ADMIN) reports itself down with the reason and wires nothing.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { PluginRpcClient } from '../server/rpc-client.js';
import type { AgentState, HostState, RouterState } from '../server/rpc-api.js';
import type { Datapath } from './datapath.js';
import type { NetworkSpec, PortSpec, SecurityGroupSpec } from './datapath-spec.js';
import { NetworkInUse } from './errors.js';
import { HeldObjects } from './held-objects.js';
import { AGENT_API_VERSION, AGENT_TOPIC, type AgentVerbs, type UpdateFdbEntries } from './rpc-api.js';

const LOG = getLogger('nimbus.network.agent');

export interface NetworkAgentOptions {
  readonly transport: Transport;
  readonly datapath: Datapath;
  /** The host names this agent answers for; the first is its own. */
  readonly hosts: readonly string[];
  /** `[network] l3_host`: the host (among `hosts` or not) that wires routers. */
  readonly l3Host: string;
  readonly server: PluginRpcClient;
  /** Seconds between state reports ([network] report_interval). */
  readonly reportIntervalMs: number;
  /** This host's VXLAN tunnel endpoint (`[network] local_ip`), reported as Neutron's `tunneling_ip`; none: no tunnels. */
  readonly tunnelIp?: string;
  /** Physical network → interface (`[linux_bridge] physical_interface_mappings`), reported as Neutron's `interface_mappings`. */
  readonly interfaceMappings?: Readonly<Record<string, string>>;
  /** Physical network → existing bridge (`[linux_bridge] bridge_mappings`), reported as Neutron's `bridge_mappings`. */
  readonly bridgeMappings?: Readonly<Record<string, string>>;
  /** The data path's kind, shown in the agent's configurations. */
  readonly datapathName: string;
  /**
   * Where the agent records what it wired, so that a later run removes what an earlier one left
   * (never read back from the kernel's names, which other clouds on the machine share). Absent:
   * kept in memory only.
   */
  readonly heldFile?: string;
}

type Handlers = { readonly [V in keyof AgentVerbs]: (args: AgentVerbs[V]) => Promise<void> };

export class NetworkAgent {
  readonly #options: NetworkAgentOptions;
  readonly #servers: RpcServer[] = [];
  readonly #held: HeldObjects;
  readonly #activeServicePorts = new Set<string>();
  readonly #startedAt = new Date().toISOString();
  #downReason: string | null = null;
  #reportTimer: NodeJS.Timeout | undefined;
  /** Whether the last state report reached the server: after silence, the agent resyncs. */
  #connected = false;
  /** Messages and resyncs run one at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: NetworkAgentOptions) {
    this.#options = options;
    this.#held = new HeldObjects(options.heldFile);
  }

  get hosts(): readonly string[] {
    return this.#options.hosts;
  }

  async start(): Promise<void> {
    await this.#held.load();
    const availability = await this.#options.datapath.checkAvailable();
    if (!availability.available) {
      this.#downReason = availability.reason;
      LOG.error(`The network agent on ${this.hosts.join(', ')} cannot wire anything and reports itself down: ${availability.reason}`);
    } else {
      for (const host of this.hosts) {
        const server = new RpcServer(this.#options.transport, { topic: AGENT_TOPIC, server: host, version: AGENT_API_VERSION }, this.#handlers(host));
        await server.start();
        this.#servers.push(server);
      }
    }
    await this.#report();
    this.#reportTimer = setInterval(() => void runWithContext(newAdminContext(), () => this.#report()), this.#options.reportIntervalMs);
    this.#reportTimer.unref();
    LOG.info(`Network agent started for ${this.hosts.join(', ')} (data path ${this.#options.datapathName}${this.#downReason === null ? '' : ', down'})`);
  }

  /** Stops listening and reporting; what is wired stays, so guests keep their network while the agent restarts. */
  async stop(): Promise<void> {
    clearInterval(this.#reportTimer);
    for (const server of this.#servers.splice(0)) await server.stop();
    await this.#queue;
  }

  /** Each endpoint's change but this host's own (Neutron's agents skip their local_ip). */
  async #changeTunnelAddresses(changes: UpdateFdbEntries['chg_ip']): Promise<void> {
    for (const [networkId, endpoints] of Object.entries(changes)) {
      for (const [tunnelIp, { before = [], after = [] }] of Object.entries(endpoints)) {
        if (tunnelIp !== this.#options.tunnelIp) await this.#options.datapath.changeTunnelAddresses(networkId, { tunnel_ip: tunnelIp, before, after });
      }
    }
  }

  /** Runs after what is queued, then records what is held. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(async () => {
      try {
        return await work();
      } finally {
        await this.#held.save().catch((error: unknown) => LOG.warning(`Cannot record what the agent holds: ${messageOf(error)}`));
      }
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #handlers(host: string): Handlers {
    const run =
      <V extends keyof AgentVerbs>(verb: V, apply: (args: AgentVerbs[V]) => Promise<void>) =>
      (args: AgentVerbs[V]) =>
        this.#serial(async () => {
          try {
            await apply(args);
          } catch (error) {
            LOG.error(`${verb} failed on ${host}: ${messageOf(error)}`);
          }
        });
    return {
      network_update: run('network_update', ({ network }) => this.#ensureNetwork(network)),
      network_delete: run('network_delete', ({ network_id }) => this.#deleteNetwork(network_id)),
      port_update: run('port_update', (args) => this.#plugPort(host, args.port, args.network, args.security_groups)),
      port_delete: run('port_delete', ({ port_id }) => this.#unplugPort(port_id)),
      tunnel_peers_update: run('tunnel_peers_update', ({ network_id, peers, ports }) => this.#options.datapath.setTunnelPeers(network_id, peers, ports ?? [])),
      add_fdb_entries: run('add_fdb_entries', ({ network_id, peers, ports }) => this.#options.datapath.addTunnelEntries(network_id, peers, ports ?? [])),
      remove_fdb_entries: run('remove_fdb_entries', ({ network_id, peers, ports }) => this.#options.datapath.removeTunnelEntries(network_id, peers, ports ?? [])),
      update_fdb_entries: run('update_fdb_entries', ({ chg_ip }) => this.#changeTunnelAddresses(chg_ip)),
      security_group_update: run('security_group_update', ({ group }) => this.#syncGroup(group)),
      security_group_delete: run('security_group_delete', async ({ group_id }) => {
        if (!this.#held.groups.delete(group_id)) return;
        await this.#options.datapath.deleteSecurityGroup(group_id);
      }),
      router_update: run('router_update', (state) => this.#ensureRouter(state)),
      router_delete: run('router_delete', ({ router_id }) => this.#deleteRouter(router_id)),
    };
  }

  async #ensureNetwork(network: NetworkSpec): Promise<void> {
    await this.#options.datapath.ensureNetwork(network);
    if (!this.#held.networks.has(network.id)) LOG.info(`Wired network ${network.id}`);
    this.#held.networks.add(network.id);
    if (network.dhcp_port !== null) await this.#reportServicePort(network.dhcp_port.id);
  }

  /** A DHCP port or router end this agent wired goes ACTIVE, once per run. */
  async #reportServicePort(portId: string): Promise<void> {
    if (this.#activeServicePorts.has(portId)) return;
    await this.#options.server.updatePortStatus({ port_id: portId, host: this.hosts[0] ?? '', status: 'ACTIVE' });
    this.#activeServicePorts.add(portId);
  }

  /** Lets a network go; one still in use here (a port or router arrived meanwhile) stays. */
  async #deleteNetwork(networkId: string): Promise<void> {
    try {
      await this.#options.datapath.deleteNetwork(networkId);
    } catch (error) {
      if (error instanceof NetworkInUse) {
        LOG.debug(`Kept network ${networkId}: ${error.message}`);
        return;
      }
      throw error;
    }
    if (this.#held.networks.delete(networkId)) LOG.info(`Removed network ${networkId}`);
  }

  async #syncGroup(group: SecurityGroupSpec): Promise<void> {
    await this.#options.datapath.syncSecurityGroup(group);
    this.#held.groups.add(group.id);
  }

  /** The network's bridge and DHCP, the port's groups, then the port; the server hears it is ACTIVE. */
  async #plugPort(host: string, port: PortSpec, network: NetworkSpec, groups: readonly SecurityGroupSpec[]): Promise<void> {
    await this.#ensureNetwork(network);
    for (const group of groups) await this.#syncGroup(group);
    const { datapath } = this.#options;
    if (this.#held.ports.has(port.id)) await datapath.updatePortSecurity(port);
    else await datapath.plugPort(port);
    this.#held.ports.set(port.id, host);
    await this.#options.server.updatePortStatus({ port_id: port.id, host, status: 'ACTIVE' });
  }

  async #unplugPort(portId: string): Promise<void> {
    if (!this.#held.ports.has(portId)) return;
    await this.#options.datapath.unplugPort(portId);
    this.#held.ports.delete(portId);
    LOG.info(`Unplugged port ${portId}`);
  }

  async #ensureRouter({ router, networks, floating_ips }: RouterState): Promise<void> {
    for (const network of networks) await this.#ensureNetwork(network);
    const { datapath } = this.#options;
    await datapath.ensureRouter(router);
    this.#held.routers.add(router.id);
    for (const end of [...router.interfaces, ...(router.external_gateway === null ? [] : [router.external_gateway])]) await this.#reportServicePort(end.port_id);
    if (router.external_gateway === null) return;
    await datapath.setFloatingIps(router.id, floating_ips);
    if (floating_ips.length > 0) await this.#options.server.updateFloatingIpStatuses({ router_id: router.id, statuses: Object.fromEntries(floating_ips.map((fip) => [fip.id, 'ACTIVE'])) });
  }

  async #deleteRouter(routerId: string): Promise<void> {
    await this.#options.datapath.deleteRouter(routerId);
    this.#held.routers.delete(routerId);
  }

  /** Reports the state of each host's agents; the first report after silence (start, a server back) triggers a resync. */
  async #report(): Promise<void> {
    const { server, hosts } = this.#options;
    try {
      for (const host of hosts) {
        await server.reportState({ host, agents: this.#agentStates(host), down_reason: this.#downReason, started_at: this.#startedAt });
      }
    } catch (error) {
      if (this.#connected) LOG.warning(`Cannot report the network agent's state: ${messageOf(error)}`);
      this.#connected = false;
      return;
    }
    if (this.#connected) return;
    this.#connected = true;
    if (this.#downReason === null) await this.resync().catch((error: unknown) => LOG.error(`Resync failed: ${messageOf(error)}`));
  }

  #agentStates(host: string): AgentState[] {
    const datapath = this.#options.datapathName;
    const { tunnelIp } = this.#options;
    // Neutron's Linux bridge agent reports its endpoint and tunnel types; the server reads tunneling_ip to name peers.
    const tunnels = tunnelIp === undefined ? { tunnel_types: [] } : { tunneling_ip: tunnelIp, tunnel_types: ['vxlan'], l2_population: true };
    const states: AgentState[] = [
      { agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: AGENT_TOPIC, configurations: { datapath, devices: this.#held.ports.size, interface_mappings: { ...this.#options.interfaceMappings }, bridge_mappings: { ...this.#options.bridgeMappings }, ...tunnels } },
      { agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent', configurations: { dhcp_driver: 'dnsmasq', networks: this.#held.networks.size } },
    ];
    if (host === this.#options.l3Host) states.push({ agent_type: 'L3 agent', binary: 'neutron-l3-agent', topic: 'l3_agent', configurations: { agent_mode: 'legacy', routers: this.#held.routers.size } });
    return states;
  }

  /** Wires everything the hosts should hold and removes what they hold but should not (held here, or left in the kernel by an earlier run). */
  resync(): Promise<void> {
    return this.#serial(async () => {
      const desired = await this.#options.server.getHostState(this.hosts);
      await this.#apply(desired);
      await this.#removeStale(desired);
      LOG.info(`Resynced ${desired.networks.length} network(s), ${desired.ports.length} port(s), ${desired.routers.length} router(s) for ${this.hosts.join(', ')}`);
    });
  }

  async #apply(desired: HostState): Promise<void> {
    const attempt = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        LOG.error(`Resync could not wire ${what}: ${messageOf(error)}`);
      }
    };
    for (const network of desired.networks) await attempt(`network ${network.id}`, () => this.#ensureNetwork(network));
    for (const { network_id, peers, ports } of desired.tunnel_peers) await attempt(`the tunnel peers of network ${network_id}`, () => this.#options.datapath.setTunnelPeers(network_id, peers, ports ?? []));
    for (const group of desired.security_groups) await attempt(`security group ${group.id}`, () => this.#syncGroup(group));
    for (const { host, port } of desired.ports) {
      await attempt(`port ${port.id}`, async () => {
        await this.#options.datapath.plugPort(port);
        this.#held.ports.set(port.id, host);
        await this.#options.server.updatePortStatus({ port_id: port.id, host, status: 'ACTIVE' });
      });
    }
    for (const state of desired.routers) await attempt(`router ${state.router.id}`, () => this.#ensureRouter(state));
  }

  async #removeStale(desired: HostState): Promise<void> {
    const wanted = {
      ports: new Set(desired.ports.map(({ port }) => port.id)),
      routers: new Set(desired.routers.map((state) => state.router.id)),
      groups: new Set(desired.security_groups.map((group) => group.id)),
      networks: new Set(desired.networks.map((network) => network.id)),
    };
    for (const portId of [...this.#held.ports.keys()]) if (!wanted.ports.has(portId)) await this.#unplugPort(portId);
    for (const routerId of [...this.#held.routers]) if (!wanted.routers.has(routerId)) await this.#deleteRouter(routerId);
    for (const groupId of [...this.#held.groups]) {
      if (wanted.groups.has(groupId)) continue;
      await this.#options.datapath.deleteSecurityGroup(groupId);
      this.#held.groups.delete(groupId);
    }
    for (const networkId of [...this.#held.networks]) if (!wanted.networks.has(networkId)) await this.#deleteNetwork(networkId);
  }
}
