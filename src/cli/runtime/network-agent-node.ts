/**
 * Starts the network agent of this process for its host names, with the data path chosen in
 * presets: in the all-in-one beside the API (its data path removed again when the node stops),
 * or alone under `nimbus network-agent`; Neutron's metadata agent runs beside it.
 */
import type { Transport } from '../../common/bus/transport.js';
import type { NimbusConfig } from '../../common/config/options.js';
import { NetworkAgent } from '../../network/agent/manager.js';
import { l3HostOf } from '../../network/server/network-server.js';
import { startMetadataAgent, type MetadataAgent } from '../../network/metadata/metadata-agent.js';
import { PluginRpcClient } from '../../network/server/rpc-client.js';
import { metadataProxySecret } from './bootstrap-secrets.js';
import type { DriverName } from '../presets/drivers.js';
import { allInOneBridges, createDatapath, datapathNameOf, interfaceMappingsOf } from '../presets/network-datapaths.js';

export interface RunningNetworkAgent {
  readonly agent: NetworkAgent;
  /** Stops the agent; with `teardown` also removes what its data path wired. */
  stop(options: { teardown: boolean }): Promise<void>;
}

export interface NetworkAgentOptions {
  /** The port Nova's metadata API bound in this process (the all-in-one); else `[DEFAULT] nova_metadata_port`. */
  readonly novaMetadataPort?: number | undefined;
  /** The all-in-one: the agent maps `public` to a bridge of its own (allInOneBridges). */
  readonly allInOne?: boolean;
}

/** Neutron's metadata agent for this host's proxies, asking the network server whose port holds an address. */
function startHostMetadataAgent(config: NimbusConfig, server: PluginRpcClient, options: NetworkAgentOptions): Promise<MetadataAgent> {
  const host = config.DEFAULT.nova_metadata_host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${options.novaMetadataPort ?? config.DEFAULT.nova_metadata_port}`;
  return startMetadataAgent({
    socketPath: config.DEFAULT.metadata_proxy_socket,
    findInstance: (address, source) => server.getMetadataInstance(address, source),
    novaMetadataUrl: () => url,
    sharedSecret: metadataProxySecret(config.neutron.metadata_proxy_shared_secret, config.DEFAULT.state_dir),
  });
}

export async function startNetworkAgent(
  config: NimbusConfig,
  transport: Transport,
  hosts: readonly string[],
  computeDriver: DriverName | undefined,
  options: NetworkAgentOptions = {},
): Promise<RunningNetworkAgent> {
  const chosen = createDatapath(config, datapathNameOf(config, computeDriver), options.allInOne === true ? allInOneBridges(config) : {});
  const server = new PluginRpcClient(transport, config.bus.rpc_response_timeout);
  // Listening before the data path starts proxies that forward to it.
  const metadata = config.network.enable_isolated_metadata ? await startHostMetadataAgent(config, server, options) : undefined;
  const agent = new NetworkAgent({
    transport,
    datapath: chosen.datapath,
    hosts: [...new Set(hosts)],
    l3Host: l3HostOf(config),
    server,
    reportIntervalMs: config.network.report_interval * 1000,
    datapathName: chosen.name,
    ...(chosen.heldFile === undefined ? {} : { heldFile: chosen.heldFile }),
    ...(chosen.tunnelIp === undefined ? {} : { tunnelIp: chosen.tunnelIp }),
    interfaceMappings: interfaceMappingsOf(config),
    bridgeMappings: chosen.bridgeMappings,
  });
  try {
    await chosen.prepare();
    await agent.start();
  } catch (error) {
    await metadata?.close();
    throw error;
  }
  return {
    agent,
    async stop({ teardown }) {
      try {
        await agent.stop();
        if (teardown) await chosen.teardown();
      } finally {
        await metadata?.close();
      }
    },
  };
}
