/**
 * How a resize ends (Nova's confirm_resize, revert_resize, finish_revert_resize): confirming
 * removes the guest's old copy from the source and gives up the source's resources; reverting
 * destroys the new guest, gives up the destination's, and brings the old one back on the source
 * under its old flavor. A driver failure here leaves the server in ERROR, as Nova's
 * _error_out_instance_on_exception does.
 */
import { bindNetworkTo } from '../move-network.js';
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestRef, guestSpec } from '../guest-spec.js';
import { dropOtherAttachments, reconnectVolumesHere, restoreAttachments } from '../move-volumes.js';
import type { AgentHandlers, MoveArgs } from '../rpc-api.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';
import { errorOutMigration, migrationRef, releaseDestination, virtFlavor } from './resize-operations.js';

const LOG = getLogger('nimbus.compute.manager');

const CONFIRM_EVENT = 'compute_confirm_resize';

export function resizeSettleOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, 'confirm_resize' | 'revert_resize' | 'finish_revert_resize'> {
  return {
    confirm_resize: (args) => runner.locks.run(args.instanceUuid, () => confirmResize(deps, args)),

    /** On the destination: the new guest goes, and with it the destination's resources; then the source's turn. */
    revert_resize: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_revert_resize',
        taskStates: [TaskState.RESIZE_REVERTING],
        work: async (instance) => {
          await deps.driver.destroy(guestSpec(instance), { destroyDisks: true });
          // The volumes hold the source's attachments again; it connects them when it takes the guest back.
          await restoreAttachments(deps, instance.uuid);
          await releaseDestination(deps, instance.uuid, args.migration);
          return {
            changes: { taskState: TaskState.RESIZE_REVERTING, powerState: PowerState.SHUTDOWN },
            after: async () => {
              await deps.agents.cast(args.migration.sourceCompute, 'finish_revert_resize', args);
              await deps.reportResources();
            },
          };
        },
        onFailure: async () => {
          await errorOutMigration(deps, args.migration);
          return { changes: { vmState: VmState.ERROR } };
        },
      }),

    /** On the source: the old guest back under its old flavor, as it was before the resize. */
    finish_revert_resize: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_finish_revert_resize',
        taskStates: [TaskState.RESIZE_REVERTING],
        work: async (instance) => {
          const { migration } = args;
          const powerOn = args.oldVmState !== VmState.STOPPED;
          const here = await reconnectVolumesHere(deps, await bindNetworkTo(deps, instance));
          await deps.driver.finishRevertMigration(migrationRef(migration), { ...guestSpec(here), flavor: virtFlavor(args.oldFlavor) }, { powerOn });
          await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: 'reverted' } });
          LOG.info(`Updating instance to original state: '${args.oldVmState}'`, { instance: instance.uuid });
          return {
            changes: {
              vmState: args.oldVmState,
              powerState: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
              host: migration.sourceCompute,
              node: migration.sourceNode,
              flavors: { cur: args.oldFlavor, old: null, new: null },
              launchedAt: new Date().toISOString(),
            },
            after: () => deps.reportResources(),
          };
        },
        onFailure: async () => {
          await errorOutMigration(deps, args.migration);
          return { changes: { vmState: VmState.ERROR } };
        },
      }),
  };
}

/**
 * On the source: removes the old copy. The resources move whatever the driver says — the guest
 * runs on the destination either way (Nova deletes the allocations in a finally) — and a server
 * deleted meanwhile is still cleaned up here.
 */
async function confirmResize(deps: ComputeManagerDeps, { instanceUuid, migration }: MoveArgs): Promise<void> {
  const { conductor, driver, host } = deps;
  const instance = await conductor.instanceGet(instanceUuid);
  if (instance !== null) await conductor.actionEventStart({ uuid: instanceUuid, event: CONFIRM_EVENT, host });
  let failure: unknown;
  try {
    await driver.confirmMigration(migrationRef(migration), instance === null ? { uuid: instanceUuid, name: `instance-${instanceUuid.slice(0, 8)}` } : guestRef(instance));
  } catch (error) {
    failure = error;
  } finally {
    await conductor.confirmMoveResources({ instanceUuid, migrationUuid: migration.uuid });
    // The guest's volumes are the destination's now: the source's attachments go.
    await dropOtherAttachments(deps, instanceUuid);
    await deps.reportResources();
  }
  if (failure !== undefined) {
    LOG.error(`Confirm resize failed on source host ${host}: ${messageOf(failure)}`, { instance: instanceUuid });
    await errorOutMigration(deps, migration);
    if (instance === null) return;
    await conductor.instanceUpdate({ uuid: instanceUuid, expected: { vmState: [VmState.RESIZED] }, changes: { vmState: VmState.ERROR, taskState: null } });
    await conductor.instanceFaultCreate({ uuid: instanceUuid, code: 500, message: messageOf(failure), host });
    await conductor.actionEventFinish({ uuid: instanceUuid, event: CONFIRM_EVENT, host, result: 'Error', traceback: messageOf(failure) });
    return;
  }
  await conductor.migrationUpdate({ id: migration.id, changes: { status: 'confirmed' }, expectedStatuses: ['confirming'] });
  if (instance === null) return;
  // Nova: a guest found powered off (stopped before the resize) confirms to SHUTOFF.
  await conductor.instanceUpdate({
    uuid: instanceUuid,
    expected: { vmState: [VmState.RESIZED], taskState: [null, TaskState.DELETING, TaskState.SOFT_DELETING] },
    changes: { vmState: instance.powerState === PowerState.SHUTDOWN ? VmState.STOPPED : VmState.ACTIVE, flavors: { old: null, new: null } },
  });
  await conductor.actionEventFinish({ uuid: instanceUuid, event: CONFIRM_EVENT, host, result: 'Success' });
}
