/**
 * Soft delete (`[DEFAULT] reclaim_instance_interval` above 0): Nova's soft_delete_instance powers
 * the guest off and keeps it, SOFT_DELETED, until restore_instance powers it on again or the
 * periodic _reclaim_queued_deletes terminates it once it has been soft-deleted that long.
 */
import { getLogger } from '../../../common/logging/logger.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestRef, guestSpec } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import { powerOffOptions, type ComputeManagerDeps, type OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** When the soft delete finished, in the instance's system metadata. */
const SOFT_DELETED_AT = 'soft_deleted_at';

export function softDeleteOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, 'soft_delete_instance' | 'restore_instance'> {
  return {
    soft_delete_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_soft_delete_instance',
        taskStates: [TaskState.SOFT_DELETING],
        work: async (instance) => {
          // Nova's drivers have no soft_delete of their own: the guest is powered off.
          await deps.driver.powerOff(guestRef(instance), powerOffOptions(deps, true));
          return { changes: { vmState: VmState.SOFT_DELETED, powerState: PowerState.SHUTDOWN, systemMetadata: { [SOFT_DELETED_AT]: new Date().toISOString() } } };
        },
      }),

    restore_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_restore_instance',
        taskStates: [TaskState.RESTORING],
        work: async (instance) => {
          await deps.driver.powerOn(guestSpec(instance));
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, systemMetadata: { [SOFT_DELETED_AT]: null } } };
        },
      }),
  };
}

/** Nova's _reclaim_queued_deletes: the instances here soft-deleted at least `reclaimSeconds` ago are terminated. */
export async function reclaimQueuedDeletes(deps: ComputeManagerDeps, handlers: Pick<AgentHandlers, 'terminate_instance'>, reclaimSeconds: number): Promise<void> {
  if (reclaimSeconds <= 0) return;
  const { conductor } = deps;
  for (const instance of await conductor.instancesOnHost(deps.host)) {
    if (instance.vmState !== VmState.SOFT_DELETED || instance.taskState !== null) continue;
    const softDeletedAt = Date.parse((await conductor.instanceSystemMetadata(instance.uuid))[SOFT_DELETED_AT] ?? '');
    if (!(Date.now() - softDeletedAt >= reclaimSeconds * 1000)) continue;
    const claimed = await conductor.instanceUpdate({ uuid: instance.uuid, expected: { vmState: [VmState.SOFT_DELETED], taskState: [null] }, changes: { taskState: TaskState.DELETING } });
    if (!claimed) continue;
    LOG.info('Reclaiming deleted instance', { instance: instance.uuid });
    await handlers.terminate_instance({ instanceUuid: instance.uuid });
  }
}
