/**
 * Nova's _init_instance: at agent start, finish or fail what a previous run of the agent left
 * half done. The task state says what was under way; the verbs it maps to expect exactly it.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/conductor-client.js';
import type { AgentInstance } from '../conductor/wire.js';
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import type { AgentHandlers } from './messages.js';
import { resetLiveMigration } from './reset-live-migration.js';

const LOG = getLogger('nimbus.compute.manager');

const BUILD_STATES: readonly (string | null)[] = [TaskState.SCHEDULING, TaskState.BLOCK_DEVICE_MAPPING, TaskState.NETWORKING, TaskState.SPAWNING];

export async function initInstance(handlers: AgentHandlers, conductor: ConductorClient, host: string, instance: AgentInstance): Promise<void> {
  const uuid = instance.uuid;
  const task = instance.taskState;
  const instanceUuid = uuid;
  if (instance.vmState === VmState.BUILDING || BUILD_STATES.includes(task)) {
    LOG.info(`Instance found in ${instance.vmState}/${task ?? 'None'} on init; setting it to ERROR`, { instance: uuid });
    const failed = await conductor.instanceUpdate({
      uuid,
      expected: { vmState: [VmState.BUILDING] },
      changes: { vmState: VmState.ERROR, taskState: null },
    });
    if (failed) await conductor.instanceFaultCreate({ uuid, code: 500, message: 'The compute service restarted while the instance was being built.', host });
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
