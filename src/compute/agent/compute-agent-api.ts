/**
 * What the compute API and the conductor ask of the compute agent on an instance's host (Nova's
 * compute rpcapi). Every method but getConsoleOutput is a cast to `compute.<host>`: the API has
 * already moved the instance to its task state with a compare-and-set, and the agent finishes
 * the transition (or records a fault and reverts the task state).
 */
export interface ComputeAgentApi {
  startInstance(host: string, instanceUuid: string): Promise<void>;
  stopInstance(host: string, instanceUuid: string, options: { readonly clean: boolean }): Promise<void>;
  rebootInstance(host: string, instanceUuid: string, kind: 'SOFT' | 'HARD'): Promise<void>;
  terminateInstance(host: string, instanceUuid: string): Promise<void>;
  /** A call: the last `length` lines of the guest's console (all when undefined). */
  getConsoleOutput(host: string, instanceUuid: string, length?: number): Promise<string>;
}
