/** The agent's side of the network server's RPC API (Neutron's PluginApi). */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { InstanceOfPort, ProxySource } from '../metadata/instance-ports.js';
import { PLUGIN_API_VERSION, PLUGIN_TOPIC, type FloatingIpStatusArgs, type HostState, type PluginVerbs, type PortStatusArgs, type ReportStateArgs } from './rpc-api.js';

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

  async updateFloatingIpStatuses(args: FloatingIpStatusArgs): Promise<void> {
    await this.#call('update_floatingip_statuses', args);
  }

  /** The instance behind a guest's address, for the metadata agent; undefined when no single port holds it. */
  async getMetadataInstance(address: string, source: ProxySource): Promise<InstanceOfPort | undefined> {
    const found = await this.#call('get_metadata_instance', {
      address,
      network_id: 'networkId' in source ? source.networkId : null,
      router_id: 'routerId' in source ? source.routerId : null,
    });
    return found === null ? undefined : { instanceId: found.instance_id, projectId: found.project_id };
  }
}
