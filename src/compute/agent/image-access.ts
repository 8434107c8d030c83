/** How an agent reaches the image service: interfaces, so the agent needs no image-service internals. */
import type { Readable } from 'node:stream';
import { currentContext, newAdminContext, type RequestContext } from '../../common/context/request-context.js';
import { NimbusError } from '../../common/errors/errors.js';
import type { ImageRef, PatchChange } from '../../image/index.js';
import type { DriverSnapshot } from '../virt/driver.js';
import type { DiskFormat, ImageMeta } from '../virt/instance-spec.js';

export interface ImageAccess {
  /** The image's metadata, under the current request's context. */
  getImageMeta(imageRef: string): Promise<ImageMeta>;
  /** Streams a driver snapshot into a queued image, its formats taken from the snapshot; the image is active after it. */
  uploadSnapshot(imageId: string, snapshot: DriverSnapshot): Promise<void>;
  /** Deletes an image (a failed snapshot, or a shelve snapshot after unshelve); one already gone is not an error. */
  deleteImage(imageId: string): Promise<void>;
  /** The ids of the images with exactly these properties, newest first (a server's backups of one type). */
  findImages(properties: Readonly<Record<string, string>>): Promise<string[]>;
}

/** What the agents need of the image service: Glance metadata, image data for real guests, and snapshot uploads and deletes, under a request context. */
export interface ComputeImageSource {
  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef>;
  update(context: RequestContext, id: string, changes: readonly PatchChange[]): Promise<ImageRef>;
  uploadImageData(context: RequestContext, id: string, data: Readable): Promise<ImageRef>;
  delete(context: RequestContext, id: string): Promise<void>;
  openImageData(context: RequestContext, id: string): Promise<Readable>;
  /** The images the context sees with exactly these properties, newest first. */
  listForCompute(context: RequestContext, properties: Readonly<Record<string, string>>): Promise<ImageRef[]>;
}

const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ami', 'ari', 'aki', 'ploop'];

/** Glance's image records in the driver's terms, read and written under the request's own context. */
export function imageAccess(images: ComputeImageSource): ImageAccess {
  const context = () => currentContext() ?? newAdminContext();
  return {
    async getImageMeta(imageRef: string): Promise<ImageMeta> {
      const image = await images.getImageForCompute(context(), imageRef);
      const diskFormat = DISK_FORMATS.find((format) => format === image.disk_format) ?? 'raw';
      return {
        id: image.id,
        name: image.name ?? '',
        diskFormat,
        containerFormat: image.container_format ?? 'bare',
        minDiskGb: image.min_disk,
        minRamMb: image.min_ram,
        properties: image.properties,
      };
    },

    async uploadSnapshot(imageId: string, snapshot: DriverSnapshot): Promise<void> {
      // As Nova's drivers do: the formats are the snapshot's, known only now.
      await images.update(context(), imageId, [
        { op: 'replace', path: ['disk_format'], value: snapshot.diskFormat },
        { op: 'replace', path: ['container_format'], value: snapshot.containerFormat },
      ]);
      await images.uploadImageData(context(), imageId, snapshot.data);
    },

    async findImages(properties: Readonly<Record<string, string>>): Promise<string[]> {
      return (await images.listForCompute(context(), properties)).map((image) => image.id);
    },

    async deleteImage(imageId: string): Promise<void> {
      try {
        await images.delete(context(), imageId);
      } catch (error) {
        if (!(error instanceof NimbusError && error.status === 404)) throw error;
      }
    },
  };
}
