/**
 * snapshot_instance (Nova's snapshot_instance with the driver's update_task_state callback):
 * image_snapshot_pending → image_snapshot → image_pending_upload (the driver copies the disk) →
 * image_uploading (the copy streams into the queued Glance image) → no task, the image active.
 * Any failure deletes the image (Nova's delete_image_on_error) and reverts the task state.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** The task states one snapshot walks through: createImage's, or shelve's (Nova's shelving_state_map). */
export interface SnapshotStates {
  readonly start: TaskState;
  readonly pendingUpload: TaskState;
  readonly uploading: TaskState;
}

const IMAGE_SNAPSHOT_STATES: SnapshotStates = {
  start: TaskState.IMAGE_SNAPSHOT,
  pendingUpload: TaskState.IMAGE_PENDING_UPLOAD,
  uploading: TaskState.IMAGE_UPLOADING,
};

export const SHELVE_SNAPSHOT_STATES: SnapshotStates = {
  start: TaskState.SHELVING,
  pendingUpload: TaskState.SHELVING_IMAGE_PENDING_UPLOAD,
  uploading: TaskState.SHELVING_IMAGE_UPLOADING,
};

/** Every task state of createImage, from the API's to the last upload step. */
export const CREATE_IMAGE_TASK_STATES: readonly TaskState[] = [
  TaskState.IMAGE_SNAPSHOT_PENDING,
  TaskState.IMAGE_SNAPSHOT,
  TaskState.IMAGE_PENDING_UPLOAD,
  TaskState.IMAGE_UPLOADING,
];

export function snapshotOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'snapshot_instance'> {
  return {
    snapshot_instance: ({ instanceUuid, imageId }) =>
      runner.run(instanceUuid, {
        event: 'compute_snapshot_instance',
        taskStates: CREATE_IMAGE_TASK_STATES,
        work: async (instance) => {
          await advanceTaskState(deps, instanceUuid, TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_SNAPSHOT);
          LOG.info('instance snapshotting', { instance: instanceUuid });
          if (instance.powerState !== PowerState.RUNNING) {
            LOG.warning(`trying to snapshot a non-running instance: (state: ${instance.powerState} expected: ${PowerState.RUNNING})`, { instance: instanceUuid });
          }
          await snapshotAndUpload(deps, instance, imageId, IMAGE_SNAPSHOT_STATES);
          return { changes: {} };
        },
        onFailure: async () => {
          await deleteImageQuietly(deps, instanceUuid, imageId);
          return {};
        },
      }),
  };
}

/**
 * Copies the guest's disk and uploads it into `imageId`, moving the task state from
 * `states.start` through pending-upload and uploading as the driver's callback does in Nova.
 */
export async function snapshotAndUpload(deps: ComputeManagerDeps, instance: AgentInstance, imageId: string, states: SnapshotStates): Promise<void> {
  const started = Date.now();
  await advanceTaskState(deps, instance.uuid, states.start, states.pendingUpload);
  const snapshot = await deps.driver.snapshot(guestRef(instance));
  try {
    await advanceTaskState(deps, instance.uuid, states.pendingUpload, states.uploading);
    await deps.images.uploadSnapshot(imageId, snapshot);
  } finally {
    snapshot.data.destroy();
  }
  LOG.info(`Took ${((Date.now() - started) / 1000).toFixed(2)} seconds to snapshot the instance on the hypervisor.`, { instance: instance.uuid });
}

/** One step of the task state; an instance that moved on (deleted, reset) ends the operation. */
export async function advanceTaskState(deps: ComputeManagerDeps, uuid: string, from: TaskState, to: TaskState): Promise<void> {
  if (!(await deps.conductor.instanceUpdate({ uuid, expected: { taskState: [from] }, changes: { taskState: to } }))) {
    throw new Error(`Unexpected task state: expecting ${from} but the instance moved on`);
  }
}

/** Removes a snapshot image; a failure to do so is logged, as it must not hide the error that led here. */
export async function deleteImageQuietly(deps: ComputeManagerDeps, uuid: string, imageId: string): Promise<void> {
  try {
    await deps.images.deleteImage(imageId);
    LOG.info(`Deleted image ${imageId}`, { instance: uuid });
  } catch (error) {
    LOG.warning(`Error while trying to clean up image ${imageId}: ${messageOf(error)}`, { instance: uuid });
  }
}
