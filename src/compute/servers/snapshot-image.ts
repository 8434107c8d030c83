/**
 * The Glance record of an instance snapshot, as Nova's compute_utils.create_image and
 * initialize_instance_snapshot_metadata write it before any data exists: queued, private to the
 * server's project, with the instance's image properties inherited and image_type, instance_uuid,
 * base_image_ref, user_id added; min_disk at least the flavor's root disk.
 */
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ImageRef, SnapshotSpec } from '../../image/index.js';
import type { ImageLookup } from './create-servers.js';
import type { Server } from './server.js';

const LOG = getLogger('nimbus.compute.api');

/** The image service as the servers API uses it: look-ups for create, snapshot records for createImage and shelve. */
export interface ServerImageApi extends ImageLookup {
  createSnapshotImage(context: RequestContext, spec: SnapshotSpec): Promise<ImageRef>;
  /** A volume-backed server's snapshot image is activated with no data. */
  uploadImageData(context: RequestContext, id: string, data: Readable): Promise<ImageRef>;
  delete(context: RequestContext, id: string): Promise<void>;
}

/** Nova's NON_INHERITABLE_IMAGE_PROPERTIES plus the defaults of `[DEFAULT] non_inheritable_image_properties`. */
const NON_INHERITABLE = new Set([
  'cinder_encryption_key_id',
  'cinder_encryption_key_deletion_policy',
  'img_signature',
  'img_signature_hash_method',
  'img_signature_key_type',
  'img_signature_certificate_uuid',
  'cache_in_nova',
  'bittorrent',
]);
const NON_INHERITABLE_NAMESPACES = ['os_glance'];

/**
 * Creates the queued snapshot image of `server`. The instance's image is read for what the
 * snapshot inherits; when it is gone (or no longer visible) the snapshot inherits nothing.
 */
export async function createSnapshotRecord(
  images: ServerImageApi,
  context: RequestContext,
  server: Server,
  name: string,
  extraProperties: Readonly<Record<string, string>> = {},
): Promise<ImageRef> {
  const base = await baseImageOf(images, context, server.row.image_ref);
  const inherited = Object.entries(base?.properties ?? {}).filter(
    // image_type is the snapshot's own (Nova's create_image sets it over what is inherited).
    ([key]) => key !== 'image_type' && !NON_INHERITABLE.has(key) && !NON_INHERITABLE_NAMESPACES.some((namespace) => key.startsWith(namespace)),
  );
  const baseMinDisk = base?.min_disk ?? 0;
  // Nova's get_system_metadata_from_image: a vhd's min_disk is the flavor's, others at least the flavor's.
  const minDisk = base?.disk_format === 'vhd' ? server.row.root_gb : Math.max(baseMinDisk, server.row.root_gb);
  const spec: SnapshotSpec = {
    name,
    instanceUuid: server.row.uuid,
    baseImageRef: server.row.image_ref,
    minDisk,
    minRam: base?.min_ram ?? 0,
    visibility: 'private',
    owner: server.row.project_id,
    properties: { ...Object.fromEntries(inherited), user_id: context.userId ?? server.row.user_id, ...extraProperties },
  };
  const image = await images.createSnapshotImage(context, spec);
  LOG.info(`Created snapshot image ${image.id} (${name})`, { instance: server.row.uuid });
  return image;
}

/** Removes a snapshot record the instance never got to use (a lost state race); logged, never thrown. */
export async function discardSnapshotRecord(images: ServerImageApi, context: RequestContext, server: Server, imageId: string): Promise<void> {
  try {
    await images.delete(context, imageId);
  } catch (error) {
    LOG.warning(`Could not delete snapshot image ${imageId}`, { instance: server.row.uuid, error });
  }
}

async function baseImageOf(images: ImageLookup, context: RequestContext, imageRef: string): Promise<ImageRef | undefined> {
  // A volume-backed server has no image of its own to inherit from.
  if (imageRef === '') return undefined;
  try {
    return await images.getImageForCompute(context, imageRef);
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) return undefined;
    throw error;
  }
}
