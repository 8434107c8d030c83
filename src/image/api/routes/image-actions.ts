import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authorizeOnImage, type ImageRouteDeps } from './route-deps.js';

export const ImageActionParams = Type.Object({ image_id: Type.String(), action: Type.Union([Type.Literal('deactivate'), Type.Literal('reactivate')]) });

/** POST /v2/images/{id}/actions/{deactivate,reactivate}: 204, idempotent. */
export function imageActionRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.post('/v2/images/:image_id/actions/:action', { schema: { params: ImageActionParams } }, async (request, reply) => {
      const { image_id: id, action } = request.params;
      const image = await images.get(request.requestContext, id);
      authorizeOnImage(deps, request, action, image);
      if (action === 'deactivate') await images.deactivate(request.requestContext, id);
      else await images.reactivate(request.requestContext, id);
      return reply.code(204).send();
    });
  };
}
