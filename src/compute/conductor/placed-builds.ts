/**
 * The builds this conductor cast to a host that the host has not started yet (the server still
 * BUILDING/`scheduling` there). RabbitMQ confirms a cast once it is in the host's queue; with the
 * default queues (`[bus] amqp_durable_queues` off, as oslo.messaging's) a broker that dies takes the
 * casts still queued there — behind a busy agent's prefetch — with it, and those servers would stay
 * in BUILD (`instance_build_timeout` is 0 by default). So the conductor keeps each build it cast
 * until its host starts it, and when its own connection to the bus is back after a loss, casts the
 * ones still waiting again. The agent starts a build only from `scheduling` (a compare-and-set), so
 * a cast that was not lost after all, or another conductor's, still starts it once.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AgentCallVerb, AgentCastVerb, AgentVerbs, BuildAndRunInstanceArgs, ComputeAgentApi } from '../agent/rpc-api.js';
import type { InstanceStore } from '../db/instance-store.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';

const LOG = getLogger('nimbus.compute.conductor');

interface PlacedBuild {
  readonly host: string;
  readonly args: BuildAndRunInstanceArgs;
}

/** The agents' client of the conductor's tasks: it passes everything on, and remembers the builds. */
export class PlacedBuilds implements ComputeAgentApi {
  /** By instance: the last build cast for it. */
  readonly #placed = new Map<string, PlacedBuild>();

  constructor(
    private readonly agents: ComputeAgentApi,
    private readonly instances: Pick<InstanceStore, 'get' | 'statesOf'>,
  ) {}

  async cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    await this.agents.cast(host, verb, args);
    if (verb !== 'build_and_run_instance') return;
    // `verb` does not narrow `args` (a generic's indexed type): this is the build's.
    const build = args as BuildAndRunInstanceArgs;
    this.#placed.set(build.instance.uuid, { host, args: build });
  }

  call<V extends AgentCallVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<AgentVerbs[V]['result']> {
    return this.agents.call(host, verb, args);
  }

  /**
   * Forgets the builds their host started (or that ended otherwise); answers the others. One query
   * for all of them: it runs every report interval, beside the builds.
   */
  async forgetStarted(): Promise<PlacedBuild[]> {
    const placed = [...this.#placed];
    const states = await this.instances.statesOf(placed.map(([uuid]) => uuid));
    const waiting = [];
    for (const [uuid, build] of placed) {
      const state = states.get(uuid);
      if (state?.vmState === VmState.BUILDING && state.taskState === TaskState.SCHEDULING && state.host === build.host) {
        waiting.push(build);
      } else if (this.#placed.get(uuid) === build) {
        // Only if no newer build (a reschedule's, to another host) was cast meanwhile.
        this.#placed.delete(uuid);
      }
    }
    return waiting;
  }

  /** The connection to the bus is back after a loss: each build its host has not started is cast again, with its instance as it is now; how many. */
  async castAgain(): Promise<number> {
    let cast = 0;
    for (const { host, args } of await this.forgetStarted()) {
      const current = await this.instances.get(args.instance.uuid);
      if (current === undefined) continue;
      LOG.warning(`Casting build to ${host} again: the connection to the message bus was lost, and with it the cast if it was still queued`, { instance: current.uuid });
      try {
        await this.agents.cast(host, 'build_and_run_instance', { ...args, instance: current });
        cast += 1;
      } catch (error) {
        // Kept: the next reconnect casts it again.
        LOG.warning(`Could not cast the build to ${host} again: ${messageOf(error)}`, { instance: current.uuid });
      }
    }
    return cast;
  }
}
