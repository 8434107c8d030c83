/**
 * shelve_instance, shelve_offload_instance, unshelve_instance and the periodic offload (Nova's
 * _shelve_instance, _shelve_offload_instance, _unshelve_instance, _poll_shelved_instances).
 * Shelve powers the guest off and snapshots it into the image the API created; with
 * `shelved_offload_time` 0 it goes on to offload at once: the guest is destroyed, its claims
 * released and its host cleared, its volumes left reserved and connected to no host. A
 * volume-backed server is offloaded at once, without a snapshot: its root volume keeps its disk.
 * Unshelve powers a shelved guest on where it is, or spawns an offloaded one from its snapshot (or
 * its root volume) on the host the conductor claimed, its volumes connected there, then deletes
 * the snapshot.
 */
import { bindNetworkTo } from '../move-network.js';
import { NimbusError, NotFound } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { InstanceNotFound } from '../../virt/errors.js';
import { PowerState } from '../../virt/power-state.js';
import { bootsFromVolume, guestRef, guestSpec, knownImage } from '../guest-spec.js';
import { disconnectVolumes, reconnectVolumesHere } from '../move-volumes.js';
import type { ActionOutcome } from '../instance-action-runner.js';
import type { AgentHandlers } from '../rpc-api.js';
import { powerOffOptions, type ComputeManagerDeps, type OperationContext } from './operation-context.js';
import { advanceTaskState, deleteImageQuietly, SHELVE_SNAPSHOT_STATES, snapshotAndUpload } from './snapshot-instance.js';

const LOG = getLogger('nimbus.compute.manager');

/** Removes the shelve keys from system metadata (Nova's remove_shelved_keys_from_system_metadata). */
const SHELVE_KEYS_REMOVED = { shelved_at: null, shelved_image_id: null, shelved_host: null } as const;

export const SHELVE_TASK_STATES: readonly TaskState[] = [
  TaskState.SHELVING,
  TaskState.SHELVING_IMAGE_PENDING_UPLOAD,
  TaskState.SHELVING_IMAGE_UPLOADING,
  TaskState.SHELVING_OFFLOADING,
];

/** The shelve snapshot is gone: unshelving can never succeed, so the instance goes to ERROR (as Nova's conductor). */
class ShelvedImageNotFound extends NotFound {
  constructor(imageId: string) {
    super(`Unshelve attempted but the image ${imageId} cannot be found.`);
  }
}

export function shelveOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, 'shelve_instance' | 'shelve_offload_instance' | 'unshelve_instance'> {
  return {
    shelve_instance: ({ instanceUuid, imageId, clean }) => {
      let shelved = false;
      return runner.run(instanceUuid, {
        event: 'compute_shelve_instance',
        taskStates: SHELVE_TASK_STATES,
        work: async (instance) => {
          LOG.info('Shelving', { instance: instanceUuid });
          // A paused guest may refuse an ACPI shutdown: stop it hard.
          await deps.driver.powerOff(guestRef(instance), powerOffOptions(deps, clean && instance.powerState !== PowerState.PAUSED));
          await snapshotAndUpload(deps, instance, imageId, SHELVE_SNAPSHOT_STATES);
          const changes = {
            vmState: VmState.SHELVED,
            powerState: PowerState.SHUTDOWN,
            systemMetadata: { shelved_at: new Date().toISOString(), shelved_image_id: imageId, shelved_host: deps.host },
          };
          if ((deps.shelvedOffloadTimeSeconds ?? 0) !== 0) return { changes };
          const expected = { taskState: [TaskState.SHELVING_IMAGE_UPLOADING] };
          if (!(await deps.conductor.instanceUpdate({ uuid: instanceUuid, expected, changes: { ...changes, taskState: TaskState.SHELVING_OFFLOADING } }))) {
            throw new Error('Unexpected task state: the instance moved on while it was shelved');
          }
          shelved = true;
          return offload(deps, instance, false);
        },
        onFailure: async (_error, instance) => {
          // Shelved but not offloaded: the snapshot is the shelved server's, kept.
          if (shelved) return {};
          await deleteImageQuietly(deps, instanceUuid, imageId);
          return { changes: { powerState: await powerStateOf(deps, instance) } };
        },
      });
    },

    shelve_offload_instance: ({ instanceUuid, clean }) =>
      runner.run(instanceUuid, {
        event: 'compute_shelve_offload_instance',
        // Shelving: a volume-backed server is offloaded at once, with no snapshot (Nova's API casts it so).
        taskStates: [TaskState.SHELVING, TaskState.SHELVING_OFFLOADING],
        work: (instance) => offload(deps, instance, clean),
      }),

    unshelve_instance: ({ instanceUuid, imageId, node }) =>
      runner.run(instanceUuid, {
        event: 'compute_unshelve_instance',
        taskStates: [TaskState.UNSHELVING, TaskState.SPAWNING],
        work: async (instance) => {
          LOG.info('Unshelving', { instance: instanceUuid });
          const offloaded = instance.vmState === VmState.SHELVED_OFFLOADED;
          if (offloaded) await spawnFromSnapshot(deps, instance, imageId);
          else await deps.driver.powerOn(guestSpec(instance));
          return {
            changes: {
              vmState: VmState.ACTIVE,
              powerState: PowerState.RUNNING,
              systemMetadata: SHELVE_KEYS_REMOVED,
              ...(offloaded ? { host: deps.host, node: node ?? deps.host, launchedAt: new Date().toISOString() } : {}),
            },
            after: async () => {
              if (imageId !== null) await deleteImageQuietly(deps, instanceUuid, imageId);
              if (offloaded) await deps.reportResources();
            },
          };
        },
        onFailure: async (error, instance) => {
          if (instance.vmState !== VmState.SHELVED_OFFLOADED) return {};
          // Back to offloaded: the spawn cleaned up after itself, the claim goes back.
          await deps.conductor.releaseResources(instanceUuid);
          // Nova's _nil_out_instance_obj_host_and_node: on no host, in no zone.
          return { changes: { host: null, node: null, availabilityZone: null, ...(error instanceof ShelvedImageNotFound ? { vmState: VmState.ERROR } : {}) } };
        },
      }),
  };
}

/** An offloaded guest on this host: from its shelve snapshot, or a volume-backed one from its root volume; its volumes connected here first. */
async function spawnFromSnapshot(deps: ComputeManagerDeps, instance: AgentInstance, imageId: string | null): Promise<void> {
  await advanceTaskState(deps, instance.uuid, TaskState.UNSHELVING, TaskState.SPAWNING);
  const volumeBacked = bootsFromVolume(instance);
  if (imageId === null && !volumeBacked) throw new ShelvedImageNotFound('(none recorded)');
  const image =
    imageId === null
      ? knownImage('')
      : await deps.images.getImageMeta(imageId).catch((error: unknown) => {
          throw error instanceof NimbusError && error.status === 404 ? new ShelvedImageNotFound(imageId) : error;
        });
  const here = await reconnectVolumesHere(deps, await bindNetworkTo(deps, instance));
  try {
    await deps.driver.spawn(guestSpec(here, image), { powerOn: true, adminPassword: null, reuseDisks: false });
  } catch (error) {
    // Offloaded again: the volumes stay reserved for the instance, connected nowhere.
    await disconnectVolumes(deps, instance.uuid);
    throw error;
  }
}

/**
 * Nova's _shelve_offload_instance: the guest goes, then its claims — before the state change, so
 * a client polling for SHELVED_OFFLOADED finds the room free — then the host is cleared.
 */
async function offload(deps: ComputeManagerDeps, instance: AgentInstance, clean: boolean): Promise<ActionOutcome> {
  LOG.info('Shelve offloading', { instance: instance.uuid });
  try {
    await deps.driver.powerOff(guestRef(instance), powerOffOptions(deps, clean));
  } catch (error) {
    // Gone already: an offload interrupted after destroy, run again at agent start.
    if (!(error instanceof InstanceNotFound)) throw error;
  }
  await deps.driver.destroy(guestSpec(instance), { destroyDisks: true });
  // The volumes stay the instance's (a volume-backed one's root too), reserved and connected to no host.
  await disconnectVolumes(deps, instance.uuid);
  await deps.conductor.releaseResources(instance.uuid);
  return {
    // Nova's _nil_out_instance_obj_host_and_node: on no host, in no zone (unshelve sets its new host's).
    changes: { vmState: VmState.SHELVED_OFFLOADED, powerState: PowerState.SHUTDOWN, host: null, node: null, availabilityZone: null },
    after: () => deps.reportResources(),
  };
}

async function powerStateOf(deps: ComputeManagerDeps, instance: AgentInstance): Promise<number> {
  try {
    return (await deps.driver.getInfo(guestRef(instance))).powerState;
  } catch {
    return PowerState.NOSTATE;
  }
}

/**
 * Nova's _poll_shelved_instances: offloads the instances shelved on this host for longer than
 * `shelved_offload_time` seconds (never when it is 0, offloaded at shelve, or -1).
 */
export async function pollShelvedInstances(deps: ComputeManagerDeps, handlers: Pick<AgentHandlers, 'shelve_offload_instance'>): Promise<void> {
  const offloadSeconds = deps.shelvedOffloadTimeSeconds ?? 0;
  if (offloadSeconds <= 0) return;
  const { conductor } = deps;
  for (const instance of await conductor.instancesOnHost(deps.host)) {
    if (instance.vmState !== VmState.SHELVED || instance.taskState !== null) continue;
    const shelvedAt = Date.parse((await conductor.instanceSystemMetadata(instance.uuid))['shelved_at'] ?? '');
    if (!(Date.now() - shelvedAt >= offloadSeconds * 1000)) continue;
    try {
      const claimed = await conductor.instanceUpdate({
        uuid: instance.uuid,
        expected: { vmState: [VmState.SHELVED], taskState: [null] },
        changes: { taskState: TaskState.SHELVING_OFFLOADING },
      });
      if (claimed) await handlers.shelve_offload_instance({ instanceUuid: instance.uuid, clean: false });
    } catch (error) {
      LOG.error('Periodic task failed to offload instance.', { instance: instance.uuid, error });
    }
  }
}
