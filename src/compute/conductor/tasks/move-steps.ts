/** Steps the live migration and evacuation tasks share: service checks, and undoing a move that failed before it reached a host. */
import { BadRequest, messageOf, NimbusError } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { MigrationRow, MigrationStatus } from '../../moves/migration.js';
import { computeService } from '../../scheduler/host-source.js';
import type { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { AgentInstance } from '../rpc-api.js';
import { releaseMoveResources } from '../move-resources.js';
import type { TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

async function isComputeUp(deps: TaskDeps, host: string): Promise<boolean> {
  return (await computeService(deps.services, host))?.up ?? false;
}

/** Nova's ComputeServiceUnavailable, a 400 for the move's caller. */
export async function requireComputeUp(deps: TaskDeps, host: string): Promise<void> {
  if (!(await isComputeUp(deps, host))) throw new BadRequest(`Compute service of ${host} is unavailable at this time.`);
}

/** The instance the API handed over, still in the task state it set. */
export async function movingInstance(deps: TaskDeps, uuid: string, taskState: TaskState): Promise<AgentInstance & { readonly host: string }> {
  const instance = await deps.instances.get(uuid);
  if (!instance || instance.taskState !== taskState || instance.host === null) {
    throw new BadRequest(`Instance ${uuid} is no longer in task state ${taskState}`);
  }
  return { ...instance, host: instance.host };
}

export async function migrationOf(deps: TaskDeps, id: number): Promise<MigrationRow> {
  const migration = await deps.migrations.getById(id);
  if (migration === undefined) throw new BadRequest(`Migration ${id} could not be found.`);
  return migration;
}

export interface FailedMove {
  readonly uuid: string;
  /** The move was cast to an agent: its failures are the agent's to handle from then on. */
  readonly dispatched: boolean;
  readonly event: string;
  readonly taskState: TaskState;
  readonly migration: MigrationRow | undefined;
  /** A claim on the destination was taken and must go. */
  readonly claimed: boolean;
  readonly status: MigrationStatus;
}

/**
 * Nova's set_vm_state_and_notify for a move the conductor could not hand to a host (once handed
 * over, nothing is undone here): the claim
 * goes, the migration is marked, the task is cleared; a refused request (4xx) keeps the vm_state,
 * anything unexpected puts the instance in ERROR. Always with a fault and a failed event.
 */
export async function failMove(deps: TaskDeps, move: FailedMove, error: unknown): Promise<void> {
  const { uuid, migration } = move;
  if (move.dispatched) {
    LOG.warning(`Not rolling back: the move is the agent's now (${messageOf(error)})`, { instance: uuid });
    return;
  }
  const refused = error instanceof NimbusError && error.status < 500;
  const message = messageOf(error);
  LOG.error(`Move of the instance failed before reaching a host: ${message}`, { instance: uuid });
  if (migration !== undefined) {
    if (move.claimed) await releaseMoveResources(deps, { instanceUuid: uuid, migrationUuid: migration.uuid });
    await deps.migrations.update(migration.id, { status: move.status });
  }
  await deps.instances.update({
    uuid,
    expected: { taskState: [move.taskState] },
    changes: refused ? { taskState: null } : { taskState: null, vmState: VmState.ERROR },
  });
  await deps.instances.addFault({ uuid, code: error instanceof NimbusError ? error.status : 500, message, host: deps.host });
  await deps.actions.eventFinish({ uuid, event: move.event, host: deps.host, result: 'Error', traceback: message });
}
