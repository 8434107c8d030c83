/**
 * Nova's conductor build_instances: ask the scheduler for claimed hosts (with alternates), then
 * cast each build to its host. NoValidHost puts every instance of the request in ERROR.
 */
import { messageOf, NimbusError } from '../../../common/errors/errors.js';
import type { ClaimedSelection, WireRequestSpec } from '../../scheduler/rpc-api.js';
import { fromWireSpec } from '../../scheduler/rpc-api.js';
import type { AgentInstance, BuildRequest } from '../rpc-api.js';
import { dispatchBuild, failBuild, releaseClaim, SCHEDULE_EVENT, specForInstance } from './build-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';
import { getLogger } from '../../../common/logging/logger.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';

const LOG = getLogger('nimbus.compute.conductor');

export class BuildInstancesTask implements ConductorTask {
  /** Claimed but not yet handed to a host: what a rollback must give back. */
  readonly #pending = new Map<string, ClaimedSelection>();
  /** The builds this attempt schedules (all of them, unless the message came again). */
  #scheduling: readonly BuildRequest[] = [];

  constructor(
    private readonly deps: TaskDeps,
    private readonly builds: readonly BuildRequest[],
    private readonly spec: WireRequestSpec,
  ) {}

  async execute(): Promise<void> {
    const { deps } = this;
    const builds = await this.#stillScheduling();
    this.#scheduling = builds;
    if (builds.length === 0) return;
    for (const build of builds) await deps.actions.eventStart({ uuid: build.instanceUuid, event: SCHEDULE_EVENT, host: deps.host });
    const spec: WireRequestSpec = { ...this.spec, instanceUuids: builds.map((build) => build.instanceUuid), numInstances: builds.length };
    const selections = await deps.scheduler.selectDestinations(fromWireSpec(spec));
    for (const selection of selections) this.#pending.set(selection.instanceUuid, selection);
    for (const build of builds) {
      const selection = this.#pending.get(build.instanceUuid);
      if (!selection) continue;
      // From no host: the build may have been cast twice (accepted-builds.ts), and the other copy placed it.
      await dispatchBuild(deps, build, specForInstance(spec, build.instanceUuid), selection, null);
      this.#pending.delete(build.instanceUuid);
      await deps.actions.eventFinish({ uuid: build.instanceUuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Success' });
    }
  }

  /**
   * The builds still waiting for a host. A message delivered again after its conductor died finds
   * the ones that conductor placed: one the host's agent started is left to it; one still
   * `scheduling` there is cast to that host again (the first cast may have died with the conductor;
   * should both arrive, the agent starts the build once). Builds settled since are skipped.
   */
  async #stillScheduling(): Promise<BuildRequest[]> {
    const waiting: BuildRequest[] = [];
    for (const build of this.builds) {
      const instance = await this.deps.instances.get(build.instanceUuid);
      const scheduling = instance?.vmState === VmState.BUILDING && instance.taskState === TaskState.SCHEDULING;
      if (scheduling && instance.host === null) waiting.push(build);
      else if (scheduling && instance.host !== null) await this.#castAgain(build, instance, instance.host);
      else LOG.info(`Not scheduling: the server is ${instance === undefined ? 'gone' : `${instance.vmState}/${instance.taskState ?? 'none'} on ${instance.host ?? 'no host'}`}`, { instance: build.instanceUuid });
    }
    return waiting;
  }

  async #castAgain(build: BuildRequest, instance: AgentInstance, host: string): Promise<void> {
    LOG.info(`Casting build to ${host} again: the conductor that placed it there stopped`, { instance: instance.uuid });
    const spec = specForInstance(this.spec, instance.uuid);
    await this.deps.agents.cast(host, 'build_and_run_instance', { instance, build, node: instance.node ?? host, spec, alternates: [] });
  }

  async rollback(error: unknown): Promise<void> {
    const { deps } = this;
    const fault = {
      code: error instanceof NimbusError ? error.status : 500,
      message: messageOf(error),
    };
    for (const build of this.#scheduling) {
      const uuid = build.instanceUuid;
      const selection = this.#pending.get(uuid);
      if (selection) await releaseClaim(deps, uuid, selection.destination.host);
      if (selection || this.#pending.size === 0) {
        // Not one placed meanwhile by another copy of this build (accepted-builds.ts): that one goes on.
        await failBuild(deps, uuid, fault, null);
        await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Error', traceback: fault.message });
      }
    }
  }
}
