/** The network server's side of the agents' API: casts to `q-agent.<host>`. */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import { AGENT_API_VERSION, AGENT_TOPIC, type AgentVerbs } from './rpc-api.js';

export class NetworkAgentRpcClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: AGENT_TOPIC, version: AGENT_API_VERSION, timeoutSeconds });
  }

  cast<V extends keyof AgentVerbs>(host: string, verb: V, args: AgentVerbs[V]): Promise<void> {
    return this.#rpc.cast(verb, args, { server: host });
  }

  /** To every agent: what no single host can be picked for (a group no port is in any more). */
  fanout<V extends keyof AgentVerbs>(verb: V, args: AgentVerbs[V]): Promise<void> {
    return this.#rpc.fanout(verb, args);
  }
}
