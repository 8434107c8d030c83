/** Test-only: the compute side's volume API over a real volume service in this process (what the Cinder client reaches over HTTP). */
import type { RequestContext } from '../../common/context/request-context.js';
import type { VolumeCloud } from '../../volume/testing/volume-cloud.js';
import type { VolumeAttachmentRecord } from '../../volume/volumes/attachment.js';
import type { Snapshot } from '../../volume/volumes/volume.js';
import type { CinderAttachment, CinderSnapshot, CinderVolume, ComputeVolumeApi } from '../volumes/volume-api.js';

export function inProcessVolumes(cloud: VolumeCloud): ComputeVolumeApi {
  const { volumes, snapshots, attachments } = cloud.core;
  const asAttachment = (record: VolumeAttachmentRecord): CinderAttachment => ({ id: record.id, status: record.status, connection_info: record.connectionInfo ?? {} });
  const asSnapshot = (snapshot: Snapshot): CinderSnapshot => ({ id: snapshot.id, status: snapshot.status, size: snapshot.size, volume_id: snapshot.volumeId });
  const asVolume = async (context: RequestContext, id: string): Promise<CinderVolume> => {
    const volume = await volumes.get(context, id);
    const attached = (await attachments.ofVolumes([id])).get(id) ?? [];
    return {
      id,
      status: volume.status,
      size: volume.size,
      description: volume.description,
      availability_zone: volume.availabilityZone,
      multiattach: volume.multiattach,
      bootable: String(volume.bootable),
      attachments: attached.map((attachment) => ({ server_id: attachment.instanceUuid, attachment_id: attachment.id })),
    };
  };
  return {
    get: asVolume,
    getSnapshot: async (context, id) => asSnapshot(await snapshots.get(context, id)),
    createSnapshotForce: async (context, volumeId, name, description) => asSnapshot(await snapshots.create(context, { volumeId, name, description, force: true })),
    attachmentCreate: async (context, volumeId, instanceUuid) => asAttachment(await attachments.create(context, { volumeId, instanceUuid })),
    attachmentUpdate: async (context, id, connector) => asAttachment(await attachments.update(context, id, { ...connector })),
    attachmentComplete: (context, id) => attachments.complete(context, id),
    attachmentDelete: async (context, id) => void (await attachments.delete(context, id)),
    beginDetaching: (context, id) => attachments.beginDetaching(context, id),
    rollDetaching: (context, id) => attachments.rollDetaching(context, id),
    create: async (context, request) =>
      asVolume(
        context,
        (
          await volumes.create(context, {
            size: request.size,
            name: request.name,
            ...(request.imageRef === undefined ? {} : { imageRef: request.imageRef }),
            ...(request.snapshotId === undefined ? {} : { snapshotId: request.snapshotId }),
            ...(request.availabilityZone === undefined ? {} : { availabilityZone: request.availabilityZone }),
          })
        ).id,
      ),
    reimage: async (context, id, imageId) => {
      const holders = ((await attachments.ofVolumes([id])).get(id) ?? []).flatMap((attachment) => (attachment.instanceUuid === null ? [] : [attachment.instanceUuid]));
      await volumes.reimage(context, id, imageId, true, [...new Set(holders)]);
    },
    delete: (context, id) => volumes.delete(context, id),
  };
}
