/**
 * Nova's conductor rebuild_instance for an evacuation (recreate=True): the source host is down,
 * so the destination (the named host, or the scheduler's pick without the source) is claimed
 * under the migration and the instance is rebuilt there; the source's claim goes once the
 * rebuild is done. The source's agent, when it comes back, removes its stale copy.
 */
import { BadRequest } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus, type MigrationRow } from '../../moves/migration.js';
import type { Destination } from '../../scheduler/select-destinations.js';
import { TaskState } from '../../state/task-states.js';
import type { AgentInstance, EvacuateRequest } from '../rpc-api.js';
import { DestinationMoveTask } from './destination-move.js';
import { requireComputeUp } from './move-steps.js';
import type { TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

export const EVACUATE_EVENT = 'conductor_rebuild_instance';

export class EvacuateInstanceTask extends DestinationMoveTask {
  protected readonly onNoValidHost = 'error';

  constructor(
    deps: TaskDeps,
    private readonly request: EvacuateRequest,
  ) {
    super(deps, request, EVACUATE_EVENT, TaskState.REBUILDING);
  }

  protected async checkHosts(instance: AgentInstance & { readonly host: string }): Promise<void> {
    const { host } = this.request;
    if (host === null) return;
    if (host === instance.host) throw new BadRequest("The target host can't be the same one.");
    await requireComputeUp(this.deps, host);
  }

  protected async dispatch(instance: AgentInstance & { readonly host: string }, migration: MigrationRow, { host, node }: Destination): Promise<void> {
    await this.deps.migrations.update(migration.id, { status: MigrationStatus.PRE_MIGRATING, destCompute: host, destNode: node }, [MigrationStatus.ACCEPTED]);
    LOG.info(`Evacuating from ${instance.host} to ${host}`, { instance: instance.uuid });
    await this.deps.agents.cast(host, 'evacuate_instance', {
      instanceUuid: instance.uuid,
      migration: { id: migration.id, uuid: migration.uuid },
      node,
      adminPassword: this.request.adminPassword,
      onSharedStorage: this.request.onSharedStorage,
    });
  }
}
