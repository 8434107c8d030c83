/**
 * The host's cache of base images (Nova's `_base`): each image fetched once from the image
 * service, checked, and kept raw, so every guest's root disk is a thin qcow2 overlay on it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isDiskFull } from '../../../../common/disk/disk-full.js';
import { getLogger } from '../../../../common/logging/logger.js';
import type { ImageMeta } from '../../instance-spec.js';
import { exists } from '../instance/instance-dir.js';
import { convertImage, imageInfo, type QemuImgFormat } from '../../../../common/disk/qemu-img.js';

const LOG = getLogger('nimbus.compute.virt.qemu.imagecache');

/** Reads an image's bytes from the image service (Glance download, as the agent may). */
export type ImageDataSource = (image: ImageMeta) => Promise<Readable>;

/** The image's data is not a disk of its declared format: the build fails with this. */
export class InvalidDiskImage extends Error {}

/** The instance store has no room for an image's base: the build fails with this, saying where. */
export class InstanceStoreFull extends Error {}

export interface BaseImage {
  readonly path: string;
  readonly format: QemuImgFormat;
  readonly virtualSize: number;
}

export class BaseImageCache {
  readonly path: string;
  readonly #source: ImageDataSource;
  /** Fetches in progress, by image id: concurrent spawns of one image share one download. */
  readonly #fetching = new Map<string, Promise<BaseImage>>();

  constructor(instancesPath: string, source: ImageDataSource) {
    this.path = join(instancesPath, '_base');
    this.#source = source;
  }

  /** Whether the raw base of `image` is here already. */
  has(imageId: string): Promise<boolean> {
    return exists(join(this.path, imageId));
  }

  /** The raw base of `image`, fetched and checked on first use. */
  get(image: ImageMeta): Promise<BaseImage> {
    const inFlight = this.#fetching.get(image.id);
    if (inFlight !== undefined) return inFlight;
    const fetched = this.#fetch(image).finally(() => this.#fetching.delete(image.id));
    this.#fetching.set(image.id, fetched);
    return fetched;
  }

  async #fetch(image: ImageMeta): Promise<BaseImage> {
    const base = join(this.path, image.id);
    if (await exists(base)) return { path: base, format: 'raw', virtualSize: (await imageInfo(base)).virtualSize };
    if (image.diskFormat !== 'raw' && image.diskFormat !== 'qcow2') {
      throw new InvalidDiskImage(`Image ${image.id} has disk format ${image.diskFormat}; this host boots raw and qcow2 only`);
    }
    await mkdir(this.path, { recursive: true });
    // Hosts on shared storage may fetch the same image at once: each into names of its own.
    const partial = `${base}.${randomBytes(4).toString('hex')}`;
    const download = `${partial}.download`;
    const converted = `${partial}.converting`;
    try {
      LOG.info(`Fetching image ${image.id} into the base image cache`);
      await pipeline(await this.#source(image), createWriteStream(download));
      await checkDisk(image, download);
      await convertImage({ path: download, format: image.diskFormat }, { path: converted, format: 'raw' });
      await rename(converted, base);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      throw new InstanceStoreFull(`No space left on device in the instance store ${this.path} for the base image of image ${image.id}`, { cause: error });
    } finally {
      await rm(download, { force: true });
      await rm(converted, { force: true });
    }
    return { path: base, format: 'raw', virtualSize: (await imageInfo(base)).virtualSize };
  }
}

/** Refuses data that is not what the image claims (a qcow2 sold as raw reads host files via its backing chain). */
async function checkDisk(image: ImageMeta, path: string): Promise<void> {
  let probed: Awaited<ReturnType<typeof imageInfo>>;
  try {
    probed = await imageInfo(path);
  } catch (error) {
    throw new InvalidDiskImage(`Image ${image.id} is not a valid ${image.diskFormat} disk: ${(error as Error).message}`);
  }
  if (probed.format !== image.diskFormat) {
    throw new InvalidDiskImage(`Image ${image.id} is not a valid ${image.diskFormat} disk: its data is ${probed.format}`);
  }
  if (probed.backingFilename !== null) {
    throw new InvalidDiskImage(`Image ${image.id} refers to a backing file (${probed.backingFilename}); images must be standalone`);
  }
}
