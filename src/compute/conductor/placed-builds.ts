/**
 * The builds this conductor cast to a host that the host has not started yet (the server still
 * BUILDING/`scheduling` there), cast again when the conductor's bus connection is back after a loss
 * (casts-in-transit.ts): behind a busy agent's prefetch they wait in its queue on the broker. The
 * agent starts a build only from `scheduling` on its own host (a compare-and-set), so a cast that
 * was not lost after all, or another conductor's, still starts it once.
 */
import type { AgentCallVerb, AgentCastVerb, AgentVerbs, BuildAndRunInstanceArgs, ComputeAgentApi } from '../agent/rpc-api.js';
import type { Transport } from '../../common/bus/index.js';
import type { InstanceStore } from '../db/instance-store.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { CastsInTransit } from './casts-in-transit.js';

interface PlacedBuild {
  readonly host: string;
  readonly args: BuildAndRunInstanceArgs;
}

/** The agents' client of the conductor's tasks: it passes everything on, and remembers the builds. */
export class PlacedBuilds implements ComputeAgentApi {
  readonly #placed: CastsInTransit<PlacedBuild>;

  constructor(
    private readonly agents: ComputeAgentApi,
    instances: Pick<InstanceStore, 'get' | 'statesOf'>,
  ) {
    this.#placed = new CastsInTransit({
      instances,
      waitsFor: (state, build) => state?.vmState === VmState.BUILDING && state.taskState === TaskState.SCHEDULING && state.host === build.host,
      describe: (build) => `build to ${build.host}`,
      // With the instance as it is now.
      send: async (uuid, { host, args }) => {
        const current = await instances.get(uuid);
        if (current !== undefined) await this.agents.cast(host, 'build_and_run_instance', { ...args, instance: current });
      },
    });
  }

  async cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    await this.agents.cast(host, verb, args);
    if (verb !== 'build_and_run_instance') return;
    // `verb` does not narrow `args` (a generic's indexed type): this is the build's.
    const build = args as BuildAndRunInstanceArgs;
    this.#placed.remember(build.instance.uuid, { host, args: build });
  }

  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']> {
    return this.agents.call(host, verb, args);
  }

  /** Forgets the builds their host started every `intervalMs`, and casts again those still waiting when `transport` is back after a loss; answers how to stop. */
  watch(transport: Pick<Transport, 'onReconnected'>, intervalMs: number): () => Promise<void> {
    return this.#placed.watch(transport, intervalMs);
  }

  /** Forgets the builds their host started (or that ended otherwise); answers the others. */
  async forgetStarted(): Promise<PlacedBuild[]> {
    return (await this.#placed.forgetTaken()).map(([, build]) => build);
  }

  /** Each build its host has not started is cast again, with its instance as it is now; how many. */
  castAgain(): Promise<number> {
    return this.#placed.castAgain();
  }
}
