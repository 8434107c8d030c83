/**
 * rebuild_instance (Nova's rebuild_instance with the driver's default rebuild): power off and
 * destroy the guest, then spawn it again from the new image on this same host, through the task
 * states rebuilding → rebuild_block_device_mapping → rebuild_spawning. A stopped server comes
 * back stopped; any other comes back ACTIVE. Once the guest was touched a failure is ERROR. A
 * volume-backed server's root volume is reimaged on the way (2.93, reimage-root-volume.ts).
 */
import { getLogger } from '../../../common/logging/logger.js';
import type { ConductorClient } from '../../conductor/rpc-client.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { REBUILD_STATES, TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestSpec } from '../guest-spec.js';
import type { ActionOutcome } from '../instance-action-runner.js';
import type { AgentHandlers, RebuildInstanceArgs } from '../rpc-api.js';
import { reimageRootVolume } from '../reimage-root-volume.js';
import { errorOut, powerOffIfPresent } from './guest-operations.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export function rebuildOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'rebuild_instance'> {
  return {
    rebuild_instance: (args) => {
      let touched = false;
      return runner.run(args.instanceUuid, {
        event: 'compute_rebuild_instance',
        taskStates: REBUILD_STATES,
        work: (instance) =>
          rebuild(deps, instance, args, () => {
            touched = true;
          }),
        // Nova reverts only the task state when the image cannot be read (the guest is untouched).
        onFailure: (error) => (touched ? errorOut(error) : {}),
      });
    },
  };
}

async function rebuild(deps: ComputeManagerDeps, instance: AgentInstance, args: RebuildInstanceArgs, touch: () => void): Promise<ActionOutcome> {
  const { driver, conductor } = deps;
  const uuid = instance.uuid;
  LOG.info('Rebuilding instance', { instance: uuid });
  const image = await deps.images.getImageMeta(args.imageRef);
  touch();
  // Nova's _rebuild_default_impl (what libvirt uses) cannot keep the ephemeral disk.
  if (args.preserveEphemeral) throw new Error('The current driver does not support preserving ephemeral partitions.');
  const spec = guestSpec(instance, image);
  await powerOffIfPresent(deps, instance);
  await driver.destroy(spec, { destroyDisks: true });
  // 2.93: the root volume holds the new image once the volume service has rewritten it; the
  // guest then boots from the volume's new connection.
  const reimaged = args.reimageBootVolume === true && instance.volumes.some((volume) => volume.bootIndex === 0);
  if (reimaged) await reimageRootVolume(deps, uuid, instance.availabilityZone, image.id);
  await moveTask(conductor, uuid, TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING);
  await moveTask(conductor, uuid, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING);
  const powerOn = instance.vmState !== VmState.STOPPED;
  const current = reimaged ? await conductor.instanceGet(uuid) : instance;
  if (current === null) throw new Error('Unexpected task state: the instance was deleted during the rebuild');
  await driver.spawn(reimaged ? guestSpec(current, image) : spec, { powerOn, adminPassword: args.adminPassword, reuseDisks: false });
  LOG.info(`Rebuilt the instance from image ${image.id}`, { instance: uuid });
  return {
    changes: {
      vmState: powerOn ? VmState.ACTIVE : VmState.STOPPED,
      powerState: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
      launchedAt: new Date().toISOString(),
    },
    // The guest was away for a moment; os-hypervisors shows it back now, not at the next audit.
    after: () => deps.reportResources(),
  };
}

/** One step of the task state; a server that moved on (a delete) stops the rebuild. */
async function moveTask(conductor: ConductorClient, uuid: string, from: TaskState, to: TaskState): Promise<void> {
  if (!(await conductor.instanceUpdate({ uuid, expected: { taskState: [from] }, changes: { taskState: to } }))) {
    throw new Error(`Unexpected task state: expecting ${from}, the instance moved on`);
  }
}
