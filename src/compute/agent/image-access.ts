/** How an agent reads image metadata: an interface, so the agent needs no image-service internals. */
import type { ImageMeta } from '../virt/instance-spec.js';

export interface ImageAccess {
  /** The image's metadata, under the current request's context. */
  getImageMeta(imageRef: string): Promise<ImageMeta>;
}
