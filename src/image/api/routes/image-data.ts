import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UnsupportedMediaType } from '../../../common/errors/errors.js';
import { parseRange } from './byte-range.js';
import { ImageIdParams } from './images.js';
import { authorizeOnImage, storeHeaderOf, type ImageRouteDeps } from './route-deps.js';

/** Uploads stream through; the store enforces the size cap while they do. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

/**
 * PUT/GET /v2/images/{id}/file: image data in and out, streamed both ways (X-Image-Meta-Store picks
 * the store of an upload); PUT /v2/images/{id}/stage: data for an import.
 */
export function imageDataRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.put('/v2/images/:image_id/file', { schema: { params: ImageIdParams }, bodyLimit: UNLIMITED }, async (request, reply) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'upload_image', image);
      const data = request.body;
      if (!(data instanceof Readable)) {
        throw new UnsupportedMediaType(`Content type ${request.headers['content-type'] ?? ''} not supported; send application/octet-stream.`);
      }
      await images.uploadImageData(request.requestContext, image.id, data, storeHeaderOf(request));
      return reply.code(204).send();
    });

    // glance-direct's stage: Glance checks modify_image here (stage has no rule of its own).
    app.put('/v2/images/:image_id/stage', { schema: { params: ImageIdParams }, bodyLimit: UNLIMITED }, async (request, reply) => {
      const data = request.body;
      if (!(data instanceof Readable)) {
        throw new UnsupportedMediaType(`Content type ${request.headers['content-type'] ?? ''} not supported; send application/octet-stream.`);
      }
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_image', image);
      await images.stageImageData(request.requestContext, image.id, data);
      return reply.code(204).send();
    });

    app.get('/v2/images/:image_id/file', { schema: { params: ImageIdParams } }, async (request, reply) => {
      const image = await images.getDownloadable(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'download_image', image);
      const size = image.size;
      if (size === null || (image.status !== 'active' && image.status !== 'deactivated')) return reply.code(204).send();
      const range = parseRange(request.headers.range, size);
      const data = await images.openData(image, range);
      void reply.header('content-type', 'application/octet-stream');
      if (image.checksum !== null) void reply.header('content-md5', image.checksum);
      if (range === undefined) return reply.header('content-length', size).send(data);
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(data);
    });
  };
}
