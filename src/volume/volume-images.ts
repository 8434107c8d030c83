/**
 * The image service as the volume API and the volume services reach it: the node's own image
 * service, in-process, under a request context (the caller's visibility and ownership). The
 * composition root and the test harness build both sides from it.
 */
import type { Readable } from 'node:stream';
import type { RequestContext } from '../common/context/request-context.js';
import type { VolumeImageSource } from './manager/volume-manager.js';
import type { VolumeImageCreate, VolumeImageLookup, VolumeImageRecord } from './volumes/volume-service.js';

/** The image service's methods used here (image/images/image-service.ts). */
export interface VolumeImageService {
  getImageForCompute(context: RequestContext, id: string): Promise<VolumeImageRecord>;
  create(context: RequestContext, image: VolumeImageCreate): Promise<VolumeImageRecord>;
  delete(context: RequestContext, id: string): Promise<void>;
  openImageData(context: RequestContext, id: string): Promise<Readable>;
  uploadImageData(context: RequestContext, id: string, data: Readable): Promise<unknown>;
}

/** The API's side: records read, made and deleted as the caller. */
export function volumeImageLookup(images: VolumeImageService): VolumeImageLookup {
  return {
    getImage: (context, id) => images.getImageForCompute(context, id),
    createImage: (context, image) => images.create(context, image),
    deleteImage: (context, id) => images.delete(context, id),
  };
}

/** The volume services' side: data read and written under `context()` (the message's, else an admin's). */
export function volumeImageSource(images: VolumeImageService, context: () => RequestContext): VolumeImageSource {
  return {
    openImageData: (imageId) => images.openImageData(context(), imageId),
    uploadImageData: async (imageId, data) => {
      await images.uploadImageData(context(), imageId, data);
    },
    discardImage: async (imageId) => {
      const found = await images.getImageForCompute(context(), imageId).catch(() => undefined);
      if (found?.status === 'queued' || found?.status === 'saving') await images.delete(context(), imageId);
    },
  };
}
