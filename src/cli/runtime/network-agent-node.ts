/**
 * Starts the network agent of this process for its host names, with the data path chosen in
 * presets: in the all-in-one beside the API (its data path removed again when the node stops),
 * or alone under `nimbus network-agent`.
 */
import type { Transport } from '../../common/bus/transport.js';
import type { NimbusConfig } from '../../common/config/options.js';
import { NetworkAgent } from '../../network/agent/manager.js';
import { l3HostOf } from '../../network/server/network-server.js';
import { PluginRpcClient } from '../../network/server/rpc-client.js';
import type { DriverName } from '../presets/drivers.js';
import { createDatapath, datapathNameOf } from '../presets/network-datapaths.js';

export interface RunningNetworkAgent {
  readonly agent: NetworkAgent;
  /** Stops the agent; with `teardown` also removes what its data path wired. */
  stop(options: { teardown: boolean }): Promise<void>;
}

export async function startNetworkAgent(config: NimbusConfig, transport: Transport, hosts: readonly string[], computeDriver: DriverName | undefined): Promise<RunningNetworkAgent> {
  const chosen = createDatapath(config, datapathNameOf(config, computeDriver));
  const agent = new NetworkAgent({
    transport,
    datapath: chosen.datapath,
    hosts: [...new Set(hosts)],
    l3Host: l3HostOf(config),
    server: new PluginRpcClient(transport, config.bus.rpc_response_timeout),
    reportIntervalMs: config.network.report_interval * 1000,
    datapathName: chosen.name,
    leftNetworks: chosen.leftNetworks,
  });
  await agent.start();
  return {
    agent,
    async stop({ teardown }) {
      await agent.stop();
      if (teardown) await chosen.teardown();
    },
  };
}
