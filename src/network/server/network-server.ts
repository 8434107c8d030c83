/**
 * The network server's side (neutron-server's plugin with its RPC and notifiers): the core plugin
 * that binds ports only to hosts with a live agent, wrapped so its writes reach the agents, the
 * agents' RPC on `q-plugin`, and the Nova notifier. The only network composition that sees a
 * Database.
 */
import type { Transport } from '../../common/bus/transport.js';
import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { NetworkAgentRpcClient } from '../agent/rpc-client.js';
import { AgentRegistry } from '../plugin/agents.js';
import { createCorePlugin, pluginDeps, type CorePlugin } from '../plugin/network-plugin.js';
import { AgentNotifier } from './agent-notifier.js';
import { dhcpPortKeeper } from './dhcp-ports.js';
import { HostStateBuilder } from './host-state.js';
import { NovaNotifier, httpVifEventSender, type NovaAuth } from './nova-notifier.js';
import { notifyingPlugin } from './notifying-plugin.js';
import { PluginRpcService } from './plugin-rpc.js';

/** Neutron's send_events_interval: port events gather this long before they go to Nova. */
const NOVA_BATCH_DELAY_MS = 2000;

export interface NetworkServerOptions {
  readonly database: Database;
  readonly transport: Transport;
  readonly config: NimbusConfig;
  /** How the Nova notifier authenticates and finds Nova (absent until the node knows its URL, or none configured). */
  readonly novaAuth: () => NovaAuth | undefined;
}

export interface NetworkServer {
  /** The plugin the API serves. */
  readonly plugin: CorePlugin;
  stop(): Promise<void>;
}

/** `[network] l3_host`, or this node's host. */
export function l3HostOf(config: NimbusConfig): string {
  return config.network.l3_host === '' ? config.DEFAULT.host : config.network.l3_host;
}

export async function startNetworkServer(options: NetworkServerOptions): Promise<NetworkServer> {
  const { database, transport, config } = options;
  const deps = pluginDeps(database, config.network);
  const registry = new AgentRegistry(deps.store, config.network.agent_down_time);
  const bound = createCorePlugin({ ...deps, bindingHosts: registry }, registry);
  const state = new HostStateBuilder(deps.store, l3HostOf(config), dhcpPortKeeper(deps.store, bound.ports));
  const nova = new NovaNotifier(httpVifEventSender(options.novaAuth), NOVA_BATCH_DELAY_MS);
  const agents = new AgentNotifier(state, new NetworkAgentRpcClient(transport, config.bus.rpc_response_timeout));
  const rpc = new PluginRpcService({ transport, host: config.DEFAULT.host, store: deps.store, agents: bound.agents, state, nova });
  await rpc.start();
  return {
    plugin: notifyingPlugin(bound, deps.store, agents, nova),
    async stop() {
      await rpc.stop();
      await nova.flush();
    },
  };
}
