import type { AgentCallVerb, AgentCastVerb, AgentVerbs } from './messages.js';

/**
 * What the compute API and the conductor ask of the compute agent on an instance's host (Nova's
 * compute rpcapi), typed by the closed set of verbs in messages.ts. Casts for every state change:
 * the API has already moved the instance to its task state with a compare-and-set, and the agent
 * finishes the transition (or records a fault and reverts the task state). Calls only where the
 * caller needs an answer (console output, a live migration's destination).
 */
export interface ComputeAgentApi {
  cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void>;
  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']>;
}
