/**
 * First run of the all-in-one cloud on real guests: nimbus-tiny goes into the image service as a
 * public image, so a newcomer can boot a VM at once (m1.tiny's 128 MB fits it). Once per state
 * dir: an operator who deletes the image does not get it back.
 */
import { createReadStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newAdminContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import { TINY_IMAGE_NAME, TINY_MIN_RAM_MB, ensureTinyImage } from '../../compute/virt/qemu/guest-image/tiny-image.js';
import type { ImageService } from '../../image/images/image-service.js';

const LOG = getLogger('nimbus.cli.bootstrap');

/** Uploads nimbus-tiny unless this state dir did so before; a failure is logged and the cloud runs on without it. */
export async function uploadTinyImageOnFirstRun(images: ImageService, stateDir: string): Promise<void> {
  const marker = join(stateDir, `${TINY_IMAGE_NAME}.uploaded`);
  if (await access(marker).then(() => true, () => false)) return;
  const context = newAdminContext();
  let imageId: string | undefined;
  try {
    const path = await ensureTinyImage();
    const image = await images.create(context, {
      name: TINY_IMAGE_NAME,
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'public',
      min_ram: TINY_MIN_RAM_MB,
    });
    imageId = image.id;
    await images.uploadImageData(context, image.id, createReadStream(path));
    await writeFile(marker, `${image.id}\n`);
    LOG.info(`Uploaded guest image ${TINY_IMAGE_NAME} as public image ${image.id}`);
  } catch (error) {
    LOG.warning(`Could not provide the guest image ${TINY_IMAGE_NAME}: ${(error as Error).message}`, { error });
    if (imageId !== undefined) await images.delete(context, imageId).catch(() => undefined);
  }
}
