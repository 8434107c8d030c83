/**
 * Nova's conductor rebuild_instance for an evacuation (recreate=True): the source host is down,
 * so the destination (the named host, or the scheduler's pick without the source) is claimed
 * under the migration and the instance is rebuilt there; the source's claim goes once the
 * rebuild is done. The source's agent, when it comes back, removes its stale copy.
 */
import { BadRequest } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus, type MigrationRow } from '../../moves/migration.js';
import { TaskState } from '../../state/task-states.js';
import type { EvacuateRequest } from '../rpc-api.js';
import { claimDestination } from './migration-claims.js';
import { failMove, migrationOf, movingInstance, requireComputeUp } from './move-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

const EVACUATE_EVENT = 'conductor_rebuild_instance';

export class EvacuateInstanceTask implements ConductorTask {
  #migration: MigrationRow | undefined;
  #claimed = false;
  /** Cast to the agent: from then on the move, and undoing it, are the agent's. */
  #dispatched = false;

  constructor(
    private readonly deps: TaskDeps,
    private readonly request: EvacuateRequest,
  ) {}

  async execute(): Promise<void> {
    const { deps, request } = this;
    const uuid = request.instanceUuid;
    await deps.actions.eventStart({ uuid, event: EVACUATE_EVENT, host: deps.host });
    const migration = await migrationOf(deps, request.migrationId);
    this.#migration = migration;
    const instance = await movingInstance(deps, uuid, TaskState.REBUILDING);
    if (request.host !== null) {
      if (request.host === instance.host) throw new BadRequest("The target host can't be the same one.");
      await requireComputeUp(deps, request.host);
    }
    const selection = await claimDestination(deps, instance, migration, { host: request.host, force: request.force });
    this.#claimed = true;
    const { host, node } = selection.destination;
    await deps.migrations.update(migration.id, { status: MigrationStatus.PRE_MIGRATING, destCompute: host, destNode: node }, [MigrationStatus.ACCEPTED]);
    LOG.info(`Evacuating from ${instance.host} to ${host}`, { instance: uuid });
    await deps.agents.cast(host, 'evacuate_instance', {
      instanceUuid: uuid,
      migration: { id: migration.id, uuid: migration.uuid },
      node,
      adminPassword: request.adminPassword,
      onSharedStorage: request.onSharedStorage,
    });
    this.#dispatched = true;
    await deps.actions.eventFinish({ uuid, event: EVACUATE_EVENT, host: deps.host, result: 'Success' });
  }

  async rollback(error: unknown): Promise<void> {
    const move = { uuid: this.request.instanceUuid, event: EVACUATE_EVENT, taskState: TaskState.REBUILDING, migration: this.#migration, claimed: this.#claimed, dispatched: this.#dispatched };
    await failMove(this.deps, { ...move, status: MigrationStatus.ERROR }, error);
  }
}
