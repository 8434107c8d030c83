/**
 * The actions the compute API cast to a host (stop, reboot, delete, ...) that the host has not
 * taken yet: the server still in the task state the API set, on that host. Cast again when the
 * API's bus connection is back after a loss (casts-in-transit.ts): a cast queued behind a busy
 * agent dies with a killed broker, and the server would stay `powering-off` or `deleting` for
 * ever. The agent acts only on a server in the verb's task state, checked under the server's lock,
 * so a copy that comes after the first did its work is ignored. Only these verbs: a move's agent
 * gives the move up on a copy it finds out of step (undoing it), and shelving goes on in steps.
 */
import type { Transport } from '../../common/bus/index.js';
import { CastsInTransit } from '../conductor/casts-in-transit.js';
import type { InstanceStore } from '../db/instance-store.js';
import type { AgentCallVerb, AgentCastVerb, AgentVerbs, ComputeAgentApi, InstanceArgs } from './rpc-api.js';

/** The actions cast again after a loss: each one handler on one host, its task states its own. */
const ACTIONS_CAST_AGAIN: ReadonlySet<AgentCastVerb> = new Set<AgentCastVerb>([
  'start_instance',
  'stop_instance',
  'reboot_instance',
  'terminate_instance',
  'soft_delete_instance',
  'restore_instance',
  'pause_instance',
  'unpause_instance',
  'suspend_instance',
  'resume_instance',
  'rescue_instance',
  'unrescue_instance',
  'rebuild_instance',
  'snapshot_instance',
  'backup_instance',
]);

interface AcceptedAction {
  readonly host: string;
  readonly verb: AgentCastVerb;
  readonly send: () => Promise<void>;
}

/** The API's client of the agents: it passes everything on, and remembers the actions until taken. */
export class AcceptedActions implements ComputeAgentApi {
  readonly #accepted: CastsInTransit<AcceptedAction>;

  constructor(
    private readonly agents: ComputeAgentApi,
    instances: Pick<InstanceStore, 'statesOf'>,
  ) {
    this.#accepted = new CastsInTransit({
      instances,
      // Any task state: the verb's own, or one a newer action set (whose agent then ignores this copy).
      waitsFor: (state, action) => state !== undefined && state.taskState !== null && state.host === action.host,
      describe: ({ verb, host }) => `${verb} to ${host}`,
      send: (_uuid, action) => action.send(),
    });
  }

  /** Forgets the actions taken every `intervalMs`, and casts again those still waiting when `transport` is back after a loss; answers how to stop. */
  watch(transport: Pick<Transport, 'onReconnected'>, intervalMs: number): () => Promise<void> {
    return this.#accepted.watch(transport, intervalMs);
  }

  /** Each action its host has not taken goes to it again; how many. */
  castAgain(): Promise<number> {
    return this.#accepted.castAgain();
  }

  async cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    await this.agents.cast(host, verb, args);
    if (!ACTIONS_CAST_AGAIN.has(verb)) return;
    // Every verb of the set takes an instance's args (InstanceArgs or more).
    const { instanceUuid } = args as InstanceArgs;
    this.#accepted.remember(instanceUuid, { host, verb, send: () => this.agents.cast(host, verb, args) });
  }

  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']> {
    return this.agents.call(host, verb, args);
  }
}
