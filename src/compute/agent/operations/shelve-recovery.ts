/**
 * Agent start-up recovery (Nova's _init_instance) for snapshot and shelve task states: a
 * snapshot or shelve cut short reverts its task state (the guest is where it was); an offload
 * is run again, as its steps may repeat; an unshelve that had been placed here gives its claim
 * back and the instance returns to SHELVED_OFFLOADED.
 */
import { getLogger } from '../../../common/logging/logger.js';
import type { ConductorClient } from '../../conductor/rpc-client.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { AgentHandlers } from '../rpc-api.js';
import { SHELVE_TASK_STATES } from './shelve.js';
import { CREATE_IMAGE_TASK_STATES } from './snapshot-instance.js';

const LOG = getLogger('nimbus.compute.manager');

/** True when the instance was one of these and has been dealt with. */
export async function initSnapshotOrShelve(
  handlers: Pick<AgentHandlers, 'shelve_offload_instance'>,
  conductor: ConductorClient,
  host: string,
  instance: AgentInstance,
): Promise<boolean> {
  const { uuid, taskState, vmState } = instance;
  const task = taskState as TaskState | null;
  if (task === TaskState.SHELVING_OFFLOADING) {
    LOG.info('Finishing the shelve offload interrupted by a restart', { instance: uuid });
    await handlers.shelve_offload_instance({ instanceUuid: uuid, clean: false });
    return true;
  }
  const reverting = vmState !== VmState.ERROR && task !== null && [...CREATE_IMAGE_TASK_STATES, ...SHELVE_TASK_STATES].includes(task);
  if (reverting) {
    LOG.info(`Instance in transitional state ${task} at start-up clearing task state`, { instance: uuid });
    await conductor.instanceUpdate({ uuid, expected: { taskState: [task] }, changes: { taskState: null } });
    return true;
  }
  const unshelving = task === TaskState.UNSHELVING || (task === TaskState.SPAWNING && vmState === VmState.SHELVED_OFFLOADED);
  if (!unshelving || task === null) return false;
  LOG.info(`Instance found unshelving (${task}) on init; returning it to ${vmState}`, { instance: uuid });
  const offloaded = vmState === VmState.SHELVED_OFFLOADED;
  const reverted = await conductor.instanceUpdate({
    uuid,
    expected: { taskState: [task] },
    changes: { taskState: null, ...(offloaded ? { host: null, node: null, availabilityZone: null } : {}) },
  });
  if (reverted && offloaded) {
    await conductor.releaseResources(uuid);
    await conductor.instanceFaultCreate({ uuid, code: 500, message: 'The compute service restarted while the instance was being unshelved.', host });
  }
  return true;
}
