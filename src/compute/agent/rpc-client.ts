/** The sending side of the compute agent's API (Nova's compute rpcapi) on `compute.<host>`. */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import { moveRef, type MigrationRow } from '../moves/migration.js';
import { COMPUTE_API_VERSION, COMPUTE_TOPIC, type AgentCallVerb, type AgentCastVerb, type AgentVerbs, type ComputeAgentApi } from './rpc-api.js';

/** Calls that wait on the host's slow work get `long_rpc_timeout` (Nova's attach_interface: the port's wiring, then the hot-plug). */
const LONG_CALLS: ReadonlySet<AgentCallVerb> = new Set(['attach_interface']);

export class ComputeAgentRpcClient implements ComputeAgentApi {
  readonly #rpc: RpcClient;
  readonly #longTimeoutMs: number | undefined;

  /** `longTimeoutSeconds`: for LONG_CALLS (absent: `timeoutSeconds` for every call). */
  constructor(transport: Transport, timeoutSeconds: number, longTimeoutSeconds?: number) {
    this.#rpc = new RpcClient(transport, { topic: COMPUTE_TOPIC, version: COMPUTE_API_VERSION, timeoutSeconds });
    this.#longTimeoutMs = longTimeoutSeconds === undefined ? undefined : longTimeoutSeconds * 1000;
  }

  cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    return this.#rpc.cast(verb, args, { server: host });
  }

  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']> {
    const long = this.#longTimeoutMs !== undefined && LONG_CALLS.has(verb);
    return this.#rpc.call<AgentVerbs[V]['result']>(verb, args, { server: host, ...(long ? { timeoutMs: this.#longTimeoutMs } : {}) });
  }
}

/** A resize's source host removes the old copy of the guest (a confirm, or a move whose instance was deleted). */
export function confirmResizeOnSource(agents: ComputeAgentApi, migration: MigrationRow): Promise<void> {
  return agents.cast(migration.source_compute ?? '', 'confirm_resize', { instanceUuid: migration.instance_uuid, migration: moveRef(migration) });
}
