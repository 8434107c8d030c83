/** The agent's side of the network server's RPC API (Neutron's PluginApi). */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import { PLUGIN_API_VERSION, PLUGIN_TOPIC, type HostState, type PluginVerbs, type PortStatusArgs, type ReportStateArgs } from './rpc-api.js';

export class PluginRpcClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: PLUGIN_TOPIC, version: PLUGIN_API_VERSION, timeoutSeconds });
  }

  #call<V extends keyof PluginVerbs>(verb: V, args: PluginVerbs[V]['args']): Promise<PluginVerbs[V]['result']> {
    return this.#rpc.call<PluginVerbs[V]['result']>(verb, args);
  }

  async reportState(args: ReportStateArgs): Promise<void> {
    await this.#call('report_state', args);
  }

  getHostState(hosts: readonly string[]): Promise<HostState> {
    return this.#call('get_host_state', { hosts });
  }

  async updatePortStatus(args: PortStatusArgs): Promise<void> {
    await this.#call('update_port_status', args);
  }
}
