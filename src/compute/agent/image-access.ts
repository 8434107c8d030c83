/** How an agent reaches the image service: an interface, so the agent needs no image-service internals. */
import type { DriverSnapshot } from '../virt/driver.js';
import type { ImageMeta } from '../virt/instance-spec.js';

export interface ImageAccess {
  /** The image's metadata, under the current request's context. */
  getImageMeta(imageRef: string): Promise<ImageMeta>;
  /** Streams a driver snapshot into a queued image, its formats taken from the snapshot; the image is active after it. */
  uploadSnapshot(imageId: string, snapshot: DriverSnapshot): Promise<void>;
  /** Deletes an image (a failed snapshot, or a shelve snapshot after unshelve); one already gone is not an error. */
  deleteImage(imageId: string): Promise<void>;
}
