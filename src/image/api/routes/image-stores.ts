import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { authorizeOnImage, type ImageRouteDeps } from './route-deps.js';

export const StoreImageParams = Type.Object({ store_id: Type.String(), image_id: Type.String() });

/** DELETE /v2/stores/{store}/{image}: removes an image's data from one of its stores (204), as Glance's delete_from_store. */
export function imageStoreRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.delete('/v2/stores/:store_id/:image_id', { schema: { params: StoreImageParams } }, async (request, reply) => {
      const { store_id: storeId, image_id: id } = request.params;
      const backend = images.storeForRemoval(storeId);
      const image = await images.get(request.requestContext, id).catch((error: unknown) => {
        throw error instanceof NotFound ? new NotFound(`Failed to find image ${id}`) : error;
      });
      authorizeOnImage(deps, request, 'get_image_location', image);
      authorizeOnImage(deps, request, 'delete_image_location', image);
      await images.removeFromStore(image, backend);
      return reply.code(204).send();
    });
  };
}
