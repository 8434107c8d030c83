/**
 * Nova's _init_instance for an interrupted resize or cold migration. Before the guest left the
 * source (resize_prep, resize_migrating on the source) the move is called off: the old copy is
 * restored if it had been stashed, the destination's resources are given back and the server is
 * as before. Once it had left (resize_migrated, resize_finish on the destination) or while a revert
 * ran, the server goes to ERROR with a fault, as a failed finish does. The migration errors out.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import type { AgentInstance } from '../conductor/rpc-api.js';
import type { MoveMigrationWire } from '../moves/migration.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import type { ComputeDriver } from '../virt/driver.js';
import { guestSpec } from './guest-spec.js';

const LOG = getLogger('nimbus.compute.manager');

const CALLED_OFF: readonly string[] = [TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING];
const BROKEN: readonly string[] = [TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH, TaskState.RESIZE_REVERTING];

export function isResizeTask(task: string | null): boolean {
  return task !== null && (CALLED_OFF.includes(task) || BROKEN.includes(task));
}

export async function recoverResize(conductor: ConductorClient, driver: ComputeDriver, host: string, instance: AgentInstance): Promise<void> {
  const { uuid, taskState } = instance;
  const migration = await conductor.migrationInProgress(uuid);
  if (migration !== null) await conductor.migrationUpdate({ id: migration.id, changes: { status: 'error' } });
  if (taskState !== null && CALLED_OFF.includes(taskState)) {
    LOG.info(`Instance found in ${taskState} during startup; calling the migration off`, { instance: uuid });
    if (taskState === TaskState.RESIZE_MIGRATING && migration !== null) await restoreSource(driver, instance, migration);
    if (migration !== null) await conductor.releaseMoveResources({ instanceUuid: uuid, migrationUuid: migration.uuid });
    await conductor.instanceUpdate({ uuid, expected: { taskState: [TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING] }, changes: { taskState: null } });
    return;
  }
  LOG.info(`Instance found in ${taskState ?? 'None'} during startup; setting it to ERROR`, { instance: uuid });
  if (migration !== null && taskState !== TaskState.RESIZE_REVERTING) await conductor.confirmMoveResources({ instanceUuid: uuid, migrationUuid: migration.uuid });
  const failed = await conductor.instanceUpdate({ uuid, expected: { taskState: [taskState as TaskState] }, changes: { vmState: VmState.ERROR, taskState: null } });
  if (failed) await conductor.instanceFaultCreate({ uuid, code: 500, message: `The compute service restarted during the migration (task ${taskState ?? 'None'}).`, host });
}

/** The old copy back, if migrateDiskAndPowerOff had stashed it; a guest that never left is running still. */
async function restoreSource(driver: ComputeDriver, instance: AgentInstance, migration: MoveMigrationWire): Promise<void> {
  if ((await driver.listInstances()).includes(instance.uuid)) return;
  try {
    await driver.finishRevertMigration({ id: migration.uuid, sourceHost: migration.sourceCompute, destHost: migration.destCompute }, guestSpec(instance), { powerOn: instance.vmState !== VmState.STOPPED });
  } catch (error) {
    LOG.error(`Failed to revert crashed migration: ${messageOf(error)}`, { instance: instance.uuid });
  }
}
