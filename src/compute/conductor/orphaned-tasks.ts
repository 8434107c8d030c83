/**
 * Start-up recovery for the conductor (what Nova's _init_instance does for a compute host, for the
 * conductor's own part of an operation): every conductor, when it starts and then periodically,
 * looks for tasks whose conductor is gone — its service down for `service_down_time`, or an
 * earlier boot of this very host — and settles each one once, from what the database shows:
 *
 * - a build (or reschedule) not yet started on a host (none chosen, or the cast to it maybe lost)
 *   → ERROR with a fault, its claims given back;
 * - a resize or cold migration before prep_resize reached a destination → the migration in error,
 *   its destination claim given back, the task cleared (the server as it was);
 * - a live migration or evacuation still in the conductor's pre-checks (migration `accepted`) →
 *   the migration in error, its claim given back, the task cleared (the server stays where it is);
 * - an unshelve not yet placed → back to SHELVED_OFFLOADED;
 * - anything a host already took over is left to that host's agent (and its own start-up recovery).
 *
 * A cast the API sent that no conductor took before the bus dropped it is recorded the same way
 * (lost-casts.ts) and settled by the next sweep.
 *
 * A row taken over by a live conductor (the message of a dead one delivered to it again) is not
 * touched; two conductors sweeping at once settle each row once (compare-and-set on the owner).
 * Each settled task logs one WARNING under the request id of the operation that was lost.
 */
import { runWithContext, newRequestId } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ConductorOwner, ConductorTaskRow, ConductorTaskStore } from '../db/conductor-task-store.js';
import { MigrationStatus, type MigrationRow } from '../moves/migration.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { releaseMoveResources } from './move-resources.js';
import { CONDUCTOR_BINARY, ConductorTask } from './task-owner.js';
import { LOST_CAST_BOOT } from './lost-casts.js';
import { releaseClaim, SCHEDULE_EVENT } from './tasks/build-steps.js';
import { EVACUATE_EVENT } from './tasks/evacuate-instance.js';
import { LIVE_MIGRATE_EVENT } from './tasks/live-migrate-instance.js';
import { COLD_MIGRATE_EVENT } from './tasks/migrate-server.js';
import type { TaskDeps } from './tasks/task.js';

const LOG = getLogger('nimbus.compute.conductor');

export interface OrphanedTaskDeps extends TaskDeps {
  readonly conductorTasks: ConductorTaskStore;
  /** Whether the owning conductor's service is up (`service_down_time`). */
  readonly registry: Pick<ServiceRegistry, 'list'>;
}

/** What settling one task did: `changed` false when the operation had already ended or moved on to a host. */
interface Settled {
  readonly changed: boolean;
  readonly outcome: string;
}

const UNCHANGED = (outcome: string): Settled => ({ changed: false, outcome });

/**
 * Settles every task whose conductor is gone; `self` is this conductor, whose own running tasks
 * are never touched. Returns how many tasks were settled.
 */
export async function recoverOrphanedTasks(deps: OrphanedTaskDeps, self: ConductorOwner): Promise<number> {
  const rows = await deps.conductorTasks.list();
  if (rows.length === 0) return 0;
  const live = new Set((await deps.registry.list({ binary: CONDUCTOR_BINARY })).filter((service) => service.up).map((service) => service.host));
  let settled = 0;
  for (const row of rows) {
    const owner = { host: row.conductor_host, boot: row.conductor_boot };
    const gone = owner.boot === LOST_CAST_BOOT || (owner.host === self.host ? owner.boot !== self.boot : !live.has(owner.host));
    if (!gone) continue;
    // Another conductor may be settling it, or have taken it over with the message delivered again.
    if (!(await deps.conductorTasks.takeFrom(row.instance_uuid, owner, self))) continue;
    try {
      await runWithContext({ requestId: row.request_id ?? newRequestId(), isAdmin: true }, () => settle(deps, row));
    } catch (error) {
      // Back to the dead owner, so that the next sweep (this conductor's or another's) tries again.
      await deps.conductorTasks.takeFrom(row.instance_uuid, self, owner);
      LOG.warning(`Could not settle the ${row.task} the conductor on ${owner.host} left (trying again later): ${messageOf(error)}`, { instance: row.instance_uuid });
      continue;
    }
    await deps.conductorTasks.release(row.instance_uuid, self);
    settled += 1;
  }
  return settled;
}

async function settle(deps: OrphanedTaskDeps, row: ConductorTaskRow): Promise<void> {
  const settler = SETTLERS[row.task as ConductorTask] ?? (async () => UNCHANGED(`unknown task ${row.task}; nothing done`));
  const { changed, outcome } = await settler(deps, row);
  const what = row.conductor_boot === LOST_CAST_BOOT ? `No conductor took the ${row.task} ${row.conductor_host} sent` : `The conductor on ${row.conductor_host} stopped while running ${row.task}`;
  const message = `${what} (request ${row.request_id ?? 'unknown'}): ${outcome}`;
  if (changed) LOG.warning(message, { instance: row.instance_uuid });
  else LOG.info(message, { instance: row.instance_uuid });
}

type Settler = (deps: OrphanedTaskDeps, row: ConductorTaskRow) => Promise<Settled>;

const SETTLERS: Record<ConductorTask, Settler> = {
  [ConductorTask.BUILD]: settleBuild,
  [ConductorTask.RESCHEDULE]: settleBuild,
  [ConductorTask.MIGRATE]: settleColdMigration,
  [ConductorTask.LIVE_MIGRATE]: (deps, row) => settleDestinationMove(deps, row, TaskState.MIGRATING, LIVE_MIGRATE_EVENT),
  [ConductorTask.EVACUATE]: (deps, row) => settleDestinationMove(deps, row, TaskState.REBUILDING, EVACUATE_EVENT),
  [ConductorTask.UNSHELVE]: settleUnshelve,
};

/** Fault messages users read in `server show`. */
const LOST_BUILD = 'The conductor building this server stopped before the build started on a host; delete the server and create it again.';
const lostMove = (task: string): string => `The conductor running this server's ${task} stopped before a host took it over; the ${task} did not happen.`;

async function settleBuild(deps: OrphanedTaskDeps, row: ConductorTaskRow): Promise<Settled> {
  const uuid = row.instance_uuid;
  const instance = await deps.instances.get(uuid);
  if (instance === undefined) {
    await releaseClaim(deps, uuid);
    return UNCHANGED('the server was deleted; its claims are released');
  }
  if (instance.vmState === VmState.ERROR && instance.host === null) {
    // Settled before, up to a claim release that failed: that part again (it is idempotent).
    await releaseClaim(deps, uuid);
    return UNCHANGED('the server is in ERROR; its claims are released');
  }
  if (instance.vmState !== VmState.BUILDING) return UNCHANGED(`the server is ${instance.vmState} now`);
  // Placed but still `scheduling`: the cast to the host may have died with the conductor. Should it
  // arrive after all, the agent finds the server no longer waiting and leaves it.
  if (instance.host !== null && instance.taskState !== TaskState.SCHEDULING) return UNCHANGED(`the build is on ${instance.host}, whose agent finishes it`);
  const failed = await deps.instances.update({
    uuid,
    expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SCHEDULING, null] },
    changes: { vmState: VmState.ERROR, taskState: null, host: null, node: null },
  });
  if (!failed) return UNCHANGED('the server moved on meanwhile');
  await releaseClaim(deps, uuid);
  await deps.instances.addFault({ uuid, code: 500, message: LOST_BUILD, host: deps.host });
  await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Error', traceback: LOST_BUILD });
  return { changed: true, outcome: 'the server is in ERROR with a fault and its claims are released' };
}

/** Nova's revert of a failed schedule: the migration in error, its destination claim back, the task cleared. */
async function settleColdMigration(deps: OrphanedTaskDeps, row: ConductorTaskRow): Promise<Settled> {
  const uuid = row.instance_uuid;
  const migration = await deps.migrations.findMove(uuid, [MigrationStatus.PRE_MIGRATING]);
  if (migration?.dest_compute != null) return UNCHANGED(`prep_resize went to ${migration.dest_compute}, whose agent carries the move on`);
  const restored = await deps.instances.update({ uuid, expected: { taskState: [TaskState.RESIZE_PREP] }, changes: { taskState: null } });
  if (migration !== undefined) await failMigration(deps, uuid, migration, [MigrationStatus.PRE_MIGRATING]);
  if (!restored) return migration === undefined ? UNCHANGED('the server is no longer waiting to be migrated') : { changed: true, outcome: `migration ${migration.id} is in error` };
  const message = lostMove(migration?.migration_type === 'migration' ? 'cold migration' : 'resize');
  await deps.instances.addFault({ uuid, code: 500, message, host: deps.host });
  await deps.actions.eventFinish({ uuid, event: COLD_MIGRATE_EVENT, host: deps.host, result: 'Error', traceback: message });
  return { changed: true, outcome: `the task is cleared${migration === undefined ? '' : `, migration ${migration.id} is in error and its destination claim released`}` };
}

/** A live migration or evacuation still in the conductor's pre-checks (migration `accepted`): undone, the server stays where it was. */
async function settleDestinationMove(deps: OrphanedTaskDeps, row: ConductorTaskRow, taskState: TaskState, event: string): Promise<Settled> {
  const uuid = row.instance_uuid;
  const migration = row.migration_id === null ? undefined : await deps.migrations.getById(row.migration_id);
  if (migration !== undefined && migration.status !== MigrationStatus.ACCEPTED) {
    return UNCHANGED(`migration ${migration.id} is ${migration.status}: a host carries the move on`);
  }
  if (migration !== undefined) await failMigration(deps, uuid, migration, [MigrationStatus.ACCEPTED]);
  const restored = await deps.instances.update({ uuid, expected: { taskState: [taskState] }, changes: { taskState: null } });
  if (!restored) return migration === undefined ? UNCHANGED(`the server is no longer ${taskState}`) : { changed: true, outcome: `migration ${migration.id} is in error` };
  const message = lostMove(row.task === ConductorTask.EVACUATE ? 'evacuation' : 'live migration');
  await deps.instances.addFault({ uuid, code: 500, message, host: deps.host });
  await deps.actions.eventFinish({ uuid, event, host: deps.host, result: 'Error', traceback: message });
  return { changed: true, outcome: `the task is cleared, the server stays on its host${migration === undefined ? '' : ` and migration ${migration.id} is in error`}` };
}

/** The claim first: should its release fail, the migration still reads unsettled for the next sweep. */
async function failMigration(deps: OrphanedTaskDeps, uuid: string, migration: MigrationRow, from: readonly MigrationStatus[]): Promise<void> {
  await releaseMoveResources(deps, { instanceUuid: uuid, migrationUuid: migration.uuid });
  await deps.migrations.update(migration.id, { status: MigrationStatus.ERROR }, from);
}

/** An offloaded server the conductor was placing: back to SHELVED_OFFLOADED with its claim released. */
async function settleUnshelve(deps: OrphanedTaskDeps, row: ConductorTaskRow): Promise<Settled> {
  const uuid = row.instance_uuid;
  const instance = await deps.instances.get(uuid);
  if (instance === undefined || instance.taskState !== TaskState.UNSHELVING) return UNCHANGED('the server is no longer unshelving');
  if (instance.host !== null) return UNCHANGED(`the unshelve is on ${instance.host}, whose agent finishes it`);
  const reverted = await deps.instances.update({
    uuid,
    expected: { vmState: [VmState.SHELVED_OFFLOADED], taskState: [TaskState.UNSHELVING] },
    changes: { taskState: null },
  });
  if (!reverted) return UNCHANGED('the server moved on meanwhile');
  await releaseClaim(deps, uuid);
  const message = lostMove('unshelve');
  await deps.instances.addFault({ uuid, code: 500, message, host: deps.host });
  await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Error', traceback: message });
  return { changed: true, outcome: 'the server is SHELVED_OFFLOADED again and its claim is released' };
}
