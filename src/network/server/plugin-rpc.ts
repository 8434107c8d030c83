/**
 * The network server's side of its agents' RPC (Neutron's RpcCallbacks and AgentExtRpcCallback
 * on `q-plugin`): state reports into the agents table, each host's desired state, and port
 * status from the agents, which Nova hears of when a guest's port goes ACTIVE or DOWN; and for the
 * metadata agent, the instance behind a guest's address.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NetworkStore } from '../db/network-store.js';
import { instanceOfAddress } from '../metadata/instance-ports.js';
import type { AgentRegistry } from '../plugin/agents.js';
import type { HostStateBuilder } from './host-state.js';
import { statusEvent, type NovaNotifier } from './nova-notifier.js';
import { PLUGIN_API_VERSION, PLUGIN_TOPIC, type FloatingIpStatusArgs, type PluginVerbs, type PortStatusArgs } from './rpc-api.js';

const LOG = getLogger('nimbus.network.rpc');

type Handlers = { readonly [V in keyof PluginVerbs]: (args: PluginVerbs[V]['args']) => Promise<PluginVerbs[V]['result']> };

export interface PluginRpcOptions {
  readonly transport: Transport;
  /** This server's name on the topic (`[DEFAULT] host`). */
  readonly host: string;
  readonly store: NetworkStore;
  readonly agents: AgentRegistry;
  readonly state: HostStateBuilder;
  readonly nova: NovaNotifier;
}

export class PluginRpcService {
  readonly #server: RpcServer;

  constructor(private readonly options: PluginRpcOptions) {
    const handlers: Handlers = {
      report_state: async (args) => {
        await options.agents.report(args);
        return null;
      },
      get_host_state: (args) => options.state.desired(args.hosts),
      update_port_status: async (args) => {
        await this.updatePortStatus(args);
        return null;
      },
      update_floatingip_statuses: async (args) => {
        await this.updateFloatingIpStatuses(args);
        return null;
      },
      get_metadata_instance: async ({ address, network_id: networkId, router_id: routerId }) => {
        const source = networkId !== null ? { networkId } : routerId !== null ? { routerId } : undefined;
        const found = source === undefined ? undefined : await instanceOfAddress(options.store, address, source);
        return found === undefined ? null : { instance_id: found.instanceId, project_id: found.projectId };
      },
    };
    this.#server = new RpcServer(options.transport, { topic: PLUGIN_TOPIC, server: options.host, version: PLUGIN_API_VERSION }, handlers);
  }

  start(): Promise<void> {
    return this.#server.start();
  }

  stop(): Promise<void> {
    return this.#server.stop();
  }

  /**
   * The agent wired (or unwired) the port. A report from a host the port is no longer bound to is
   * stale and ignored; the network's own ports (DHCP, router ends) are bound to no host and take
   * the report of the agent that wired them.
   */
  async updatePortStatus({ port_id, host, status }: PortStatusArgs): Promise<void> {
    const { store } = this.options;
    const port = await store.ports.find(port_id);
    if (port === undefined || (port.binding_host_id !== host && !port.device_owner.startsWith('network:'))) {
      LOG.debug(`Ignored status ${status} of port ${port_id} from ${host}: the port is gone or bound elsewhere`);
      return;
    }
    if (port.status === status) return;
    await store.ports.update(port_id, { status });
    LOG.info(`Port ${port_id} on ${host} is ${status}`);
    this.options.nova.queue(statusEvent(port, port.status, status));
  }

  /** The L3 agent mapped the router's floating IPs; one that moved to another router since is left to that router's report. */
  async updateFloatingIpStatuses({ router_id, statuses }: FloatingIpStatusArgs): Promise<void> {
    const { store } = this.options;
    for (const [id, status] of Object.entries(statuses)) {
      const floating = await store.floatingIps.find(id);
      if (floating === undefined || floating.router_id !== router_id || floating.status === status) continue;
      await store.floatingIps.update(id, { status });
      LOG.info(`Floating IP ${floating.floating_ip_address} (${id}) on router ${router_id} is ${status}`);
    }
  }
}
