/**
 * backup_instance (Nova's backup_instance): the snapshot of createImage from image_backup through
 * pending-upload and uploading, then _rotate_backups: of the server's backups of this type, the
 * oldest beyond `rotation` are deleted (a failure to delete one is logged and the rest go on).
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { TaskState } from '../../state/task-states.js';
import type { AgentHandlers, BackupInstanceArgs } from '../rpc-api.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';
import { deleteImageQuietly, snapshotAndUpload, type SnapshotStates } from './snapshot-instance.js';

const LOG = getLogger('nimbus.compute.manager');

const BACKUP_STATES: SnapshotStates = {
  start: TaskState.IMAGE_BACKUP,
  pendingUpload: TaskState.IMAGE_PENDING_UPLOAD,
  uploading: TaskState.IMAGE_UPLOADING,
};

const BACKUP_TASK_STATES: readonly TaskState[] = [TaskState.IMAGE_BACKUP, TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING];

export function backupOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'backup_instance'> {
  return {
    backup_instance: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_backup_instance',
        taskStates: BACKUP_TASK_STATES,
        work: async (instance) => {
          LOG.info(`instance backing up (type ${args.backupType}, rotation ${args.rotation})`, { instance: args.instanceUuid });
          await snapshotAndUpload(deps, instance, args.imageId, BACKUP_STATES);
          await rotateBackups(deps, args);
          return { changes: {} };
        },
        onFailure: async () => {
          await deleteImageQuietly(deps, args.instanceUuid, args.imageId);
          return {};
        },
      }),
  };
}

async function rotateBackups(deps: ComputeManagerDeps, { instanceUuid, backupType, rotation }: BackupInstanceArgs): Promise<void> {
  const backups = await deps.images.findImages({ image_type: 'backup', backup_type: backupType, instance_uuid: instanceUuid });
  LOG.debug(`Found ${backups.length} images (rotation: ${rotation})`, { instance: instanceUuid });
  for (const imageId of backups.slice(rotation)) {
    try {
      await deps.images.deleteImage(imageId);
      LOG.info(`Rotated out backup ${imageId}`, { instance: instanceUuid });
    } catch (error) {
      LOG.info(`Failed to delete image ${imageId} during deleting excess backups. Continuing for next image.. ${messageOf(error)}`, { instance: instanceUuid });
    }
  }
}
