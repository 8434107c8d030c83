/**
 * Nova's compute API snapshot_volume_backed: a volume-backed server's snapshot is a Cinder
 * snapshot of each of its volumes (forced: they are in use) and a Glance image with no data
 * (size 0, active) whose `block_device_mapping` property (bdm_v2) names those snapshots, so a
 * server booted from the image gets new volumes made from them. No task state is set: the work
 * is done here, in the request, as Nova's API does it.
 */
import { Readable } from 'node:stream';
import type { RequestContext } from '../../common/context/request-context.js';
import { ServiceUnavailable } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ImageRef } from '../../image/index.js';
import type { BlockDeviceStore } from '../db/bdm-store.js';
import type { BlockDeviceMapping } from '../volumes/block-device.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import type { Server } from './server.js';
import { createSnapshotRecord, discardSnapshotRecord, type ServerImageApi } from './snapshot-image.js';
import { ROOT_DEVICE_NAME } from './validate-block-devices.js';

const LOG = getLogger('nimbus.compute.api');

/** One item of an image's `block_device_mapping` property (Nova's BlockDeviceDict.get_image_mapping of snapshot_from_bdm). */
export interface ImageBlockDeviceMapping {
  readonly source_type: 'snapshot';
  readonly destination_type: 'volume';
  readonly snapshot_id: string;
  readonly volume_id: null;
  readonly image_id: null;
  readonly boot_index: number | null;
  readonly device_name: string | null;
  readonly volume_size: number | null;
  readonly delete_on_termination: boolean;
  readonly disk_bus: 'virtio';
  readonly device_type: 'disk';
  readonly guest_format: null;
  readonly no_device: null;
  readonly tag: string | null;
  readonly volume_type: null;
}

export interface VolumeBackedSnapshotDeps {
  readonly images: ServerImageApi;
  readonly blockDevices: BlockDeviceStore;
  readonly volumes?: ComputeVolumeApi;
}

/**
 * Snapshots every volume of `server` and creates the image that maps them. The guest is not
 * quiesced: no virt driver here has a guest agent to freeze filesystems (Nova skips the quiesce
 * the same way when the driver cannot), so the snapshots are crash-consistent.
 */
export async function snapshotVolumeBacked(
  deps: VolumeBackedSnapshotDeps,
  context: RequestContext,
  server: Server,
  name: string,
  metadata: Readonly<Record<string, string>>,
): Promise<ImageRef> {
  const volumes = deps.volumes;
  if (volumes === undefined) throw new ServiceUnavailable('The volume service is not available to compute on this node.');
  const uuid = server.row.uuid;
  LOG.info('Skipping quiescing instance because the operation is not supported by the underlying compute driver.', { instance: uuid });
  const mapping: ImageBlockDeviceMapping[] = [];
  for (const bdm of await deps.blockDevices.ofInstance(uuid)) {
    if (bdm.destinationType !== 'volume' || bdm.volumeId === null) continue;
    const volume = await volumes.get(context, bdm.volumeId);
    LOG.debug(`Creating snapshot from volume ${volume.id}.`, { instance: uuid });
    const snapshot = await volumes.createSnapshotForce(context, volume.id, `snapshot for ${name}`, volume.description);
    mapping.push(imageMappingOf(bdm, snapshot.id, volume.size));
  }
  const properties = {
    ...metadata,
    root_device_name: ROOT_DEVICE_NAME,
    ...(mapping.length === 0 ? {} : { block_device_mapping: JSON.stringify(mapping), bdm_v2: 'True' }),
  };
  // Glance v2 activates an image only through an upload: Nova uploads no bytes (its size-0 image).
  const image = await createSnapshotRecord(deps.images, context, server, name, properties);
  try {
    return await deps.images.uploadImageData(context, image.id, Readable.from([]));
  } catch (error) {
    await discardSnapshotRecord(deps.images, context, server, image.id);
    throw error;
  }
}

/** Nova's block_device.snapshot_from_bdm(snapshot_id, bdm).get_image_mapping(). */
function imageMappingOf(bdm: BlockDeviceMapping, snapshotId: string, volumeSize: number): ImageBlockDeviceMapping {
  return {
    source_type: 'snapshot',
    destination_type: 'volume',
    snapshot_id: snapshotId,
    volume_id: null,
    image_id: null,
    boot_index: bdm.bootIndex,
    device_name: bdm.deviceName,
    volume_size: bdm.volumeSize ?? volumeSize,
    delete_on_termination: bdm.deleteOnTermination,
    disk_bus: 'virtio',
    device_type: 'disk',
    guest_format: null,
    no_device: null,
    tag: bdm.tag,
    volume_type: null,
  };
}
