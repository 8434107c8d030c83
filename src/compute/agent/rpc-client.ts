/** The sending side of the compute agent's API (Nova's compute rpcapi): casts to `compute.<host>`, one call. */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { ComputeAgentApi } from './compute-agent-api.js';
import { COMPUTE_API_VERSION, COMPUTE_TOPIC, type AgentVerb, type AgentVerbs, type BuildAndRunInstanceArgs } from './messages.js';

export class ComputeAgentRpcClient implements ComputeAgentApi {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: COMPUTE_TOPIC, version: COMPUTE_API_VERSION, timeoutSeconds });
  }

  buildAndRunInstance(host: string, args: BuildAndRunInstanceArgs): Promise<void> {
    return this.#cast(host, 'build_and_run_instance', args);
  }

  startInstance(host: string, instanceUuid: string): Promise<void> {
    return this.#cast(host, 'start_instance', { instanceUuid });
  }

  stopInstance(host: string, instanceUuid: string, options: { readonly clean: boolean }): Promise<void> {
    return this.#cast(host, 'stop_instance', { instanceUuid, clean: options.clean });
  }

  rebootInstance(host: string, instanceUuid: string, kind: 'SOFT' | 'HARD'): Promise<void> {
    return this.#cast(host, 'reboot_instance', { instanceUuid, rebootType: kind });
  }

  terminateInstance(host: string, instanceUuid: string): Promise<void> {
    return this.#cast(host, 'terminate_instance', { instanceUuid });
  }

  getConsoleOutput(host: string, instanceUuid: string, length?: number): Promise<string> {
    const args: AgentVerbs['get_console_output']['args'] = length === undefined ? { instanceUuid } : { instanceUuid, length };
    return this.#rpc.call<string>('get_console_output', args, { server: host });
  }

  #cast<V extends AgentVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    return this.#rpc.cast(verb, args, { server: host });
  }
}
