/**
 * Nova's conductor build_instances: ask the scheduler for claimed hosts (with alternates), then
 * cast each build to its host. NoValidHost puts every instance of the request in ERROR.
 */
import { messageOf, NimbusError } from '../../../common/errors/errors.js';
import type { ClaimedSelection, WireRequestSpec } from '../../scheduler/rpc-api.js';
import { fromWireSpec } from '../../scheduler/rpc-api.js';
import type { BuildRequest } from '../rpc-api.js';
import { dispatchBuild, failBuild, releaseClaim, SCHEDULE_EVENT, specForInstance } from './build-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';

export class BuildInstancesTask implements ConductorTask {
  /** Claimed but not yet handed to a host: what a rollback must give back. */
  readonly #pending = new Map<string, ClaimedSelection>();

  constructor(
    private readonly deps: TaskDeps,
    private readonly builds: readonly BuildRequest[],
    private readonly spec: WireRequestSpec,
  ) {}

  async execute(): Promise<void> {
    const { deps, builds } = this;
    for (const build of builds) await deps.actions.eventStart({ uuid: build.instanceUuid, event: SCHEDULE_EVENT, host: deps.host });
    const spec: WireRequestSpec = { ...this.spec, instanceUuids: builds.map((build) => build.instanceUuid), numInstances: builds.length };
    const selections = await deps.scheduler.selectDestinations(fromWireSpec(spec));
    for (const selection of selections) this.#pending.set(selection.instanceUuid, selection);
    for (const build of builds) {
      const selection = this.#pending.get(build.instanceUuid);
      if (!selection) continue;
      await dispatchBuild(deps, build, specForInstance(spec, build.instanceUuid), selection);
      this.#pending.delete(build.instanceUuid);
      await deps.actions.eventFinish({ uuid: build.instanceUuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Success' });
    }
  }

  async rollback(error: unknown): Promise<void> {
    const { deps } = this;
    const fault = {
      code: error instanceof NimbusError ? error.status : 500,
      message: messageOf(error),
    };
    for (const build of this.builds) {
      const uuid = build.instanceUuid;
      const selection = this.#pending.get(uuid);
      if (selection) await releaseClaim(deps, uuid, selection.destination.host);
      if (selection || this.#pending.size === 0) {
        await failBuild(deps, uuid, fault);
        await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Error', traceback: fault.message });
      }
    }
  }
}
