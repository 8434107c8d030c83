/**
 * Nova's _init_instance: at agent start, finish or fail what a previous run of the agent left
 * half done. The task state says what was under way; the verbs it maps to expect exactly it.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import type { AgentInstance } from '../conductor/rpc-api.js';
import { HARD_REBOOT_STATES, REBUILD_STATES, SOFT_REBOOT_STATES, TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import type { ComputeDriver } from '../virt/driver.js';
import { isResizeTask, recoverResize } from './init-resize.js';
import type { AgentHandlers } from './rpc-api.js';
import { initSnapshotOrShelve } from './operations/shelve-recovery.js';
import { resetLiveMigration } from './reset-live-migration.js';

const LOG = getLogger('nimbus.compute.manager');

const BUILD_STATES: readonly (string | null)[] = [TaskState.SCHEDULING, TaskState.BLOCK_DEVICE_MAPPING, TaskState.NETWORKING, TaskState.SPAWNING];

/**
 * Tasks whose guest is in an unknown state after a restart and whose arguments (image, password)
 * went with the lost message: ERROR with a fault, as Nova does for a rebuild; the user rebuilds or
 * rescues again from there.
 */
const UNFINISHABLE: Readonly<Record<string, string>> = {
  ...Object.fromEntries(REBUILD_STATES.map((state) => [state, 'rebuilt'])),
  [TaskState.RESCUING]: 'rescued',
};

/** Tasks the agent runs again (pause … resume skip a guest already there; an unrescue the guest already had fails into ERROR). */
type RerunVerb = 'pause_instance' | 'unpause_instance' | 'suspend_instance' | 'resume_instance' | 'unrescue_instance';
const RERUN: Readonly<Record<string, RerunVerb>> = {
  [TaskState.PAUSING]: 'pause_instance',
  [TaskState.UNPAUSING]: 'unpause_instance',
  [TaskState.SUSPENDING]: 'suspend_instance',
  [TaskState.RESUMING]: 'resume_instance',
  [TaskState.UNRESCUING]: 'unrescue_instance',
};

export async function initInstance(handlers: AgentHandlers, conductor: ConductorClient, host: string, instance: AgentInstance, driver?: ComputeDriver): Promise<void> {
  const uuid = instance.uuid;
  const task = instance.taskState;
  const instanceUuid = uuid;
  if (await initSnapshotOrShelve(handlers, conductor, host, instance)) return;
  const unfinishable = task === null ? undefined : UNFINISHABLE[task];
  const rerun = task === null ? undefined : RERUN[task];
  if (instance.vmState === VmState.BUILDING || BUILD_STATES.includes(task)) {
    LOG.info(`Instance found in ${instance.vmState}/${task ?? 'None'} on init; setting it to ERROR`, { instance: uuid });
    const failed = await conductor.instanceUpdate({
      uuid,
      expected: { vmState: [VmState.BUILDING] },
      changes: { vmState: VmState.ERROR, taskState: null },
    });
    if (failed) await conductor.instanceFaultCreate({ uuid, code: 500, message: 'The compute service restarted while the instance was being built.', host });
  } else if (unfinishable !== undefined) {
    LOG.info(`Instance found in task state ${task ?? 'None'} on init; setting it to ERROR`, { instance: uuid });
    const failed = await conductor.instanceUpdate({ uuid, expected: { taskState: [instance.taskState as TaskState] }, changes: { vmState: VmState.ERROR, taskState: null } });
    if (failed) await conductor.instanceFaultCreate({ uuid, code: 500, message: `The compute service restarted while the instance was being ${unfinishable}.`, host });
  } else if (rerun !== undefined) {
    LOG.info(`Instance found in task state ${task ?? 'None'} on init; running ${rerun} again`, { instance: uuid });
    await handlers[rerun]({ instanceUuid });
  } else if (driver !== undefined && isResizeTask(task)) {
    await recoverResize(conductor, driver, host, instance);
  } else if (task === TaskState.DELETING) {
    LOG.info('Finishing the delete interrupted by a restart', { instance: uuid });
    await handlers.terminate_instance({ instanceUuid });
  } else if (task === TaskState.MIGRATING) {
    await resetLiveMigration(conductor, instance);
  } else if (task === TaskState.POWERING_OFF) {
    await handlers.stop_instance({ instanceUuid, clean: false });
  } else if (task === TaskState.POWERING_ON) {
    await handlers.start_instance({ instanceUuid });
  } else if (task !== null && (HARD_REBOOT_STATES as readonly string[]).includes(task)) {
    await handlers.reboot_instance({ instanceUuid, rebootType: 'HARD' });
  } else if (task !== null && (SOFT_REBOOT_STATES as readonly string[]).includes(task)) {
    await handlers.reboot_instance({ instanceUuid, rebootType: 'SOFT' });
  }
}
