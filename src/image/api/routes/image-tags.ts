import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authorizeOnImage, type ImageRouteDeps } from './route-deps.js';

export const ImageTagParams = Type.Object({ image_id: Type.String(), tag: Type.String({ maxLength: 255 }) });

/** PUT/DELETE /v2/images/{id}/tags/{tag}: tags change under modify_image, as in Glance. */
export function imageTagRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.put('/v2/images/:image_id/tags/:tag', { schema: { params: ImageTagParams } }, async (request, reply) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_image', image);
      await images.addTag(request.requestContext, image.id, request.params.tag);
      return reply.code(204).send();
    });

    app.delete('/v2/images/:image_id/tags/:tag', { schema: { params: ImageTagParams } }, async (request, reply) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_image', image);
      await images.deleteTag(request.requestContext, image.id, request.params.tag);
      return reply.code(204).send();
    });
  };
}
