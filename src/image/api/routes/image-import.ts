import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import { importMethodsOf, type ImportMethod, type ImportRequest } from '../../images/image-import.js';
import { ImageIdParams } from './images.js';
import { authorizeOnImage, storeHeaderOf, type ImageRouteDeps } from './route-deps.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An import body checked as Glance's deserializer checks it, before the image is looked up. */
function parseImportBody(body: unknown, methods: readonly ImportMethod[], storeHeader: string | undefined): ImportRequest {
  const method = isObject(body) ? body['method'] : undefined;
  if (!isObject(body) || method === undefined) throw new BadRequest("Import request requires a 'method' field.");
  const name = isObject(method) ? method['name'] : undefined;
  if (name === undefined) throw new BadRequest("Import request requires a 'name' field.");
  const known = methods.find((offered) => offered === name);
  if (known === undefined) throw new BadRequest(`Unknown import method name '${typeof name === 'string' ? name : JSON.stringify(name)}'.`);
  const allStoresMustSucceed = body['all_stores_must_succeed'] ?? true;
  if (typeof allStoresMustSucceed !== 'boolean') throw new BadRequest("'all_stores_must_succeed' must be boolean value only");
  const allStores = body['all_stores'] ?? false;
  if (typeof allStores !== 'boolean') throw new BadRequest("'all_stores' must be boolean value only");
  const stores = body['stores'];
  if (stores !== undefined && (!Array.isArray(stores) || !stores.every((store) => typeof store === 'string'))) {
    throw new BadRequest("'stores' must be a list of store identifiers");
  }
  return {
    method: known,
    allStores,
    allStoresMustSucceed,
    ...(stores === undefined ? {} : { stores }),
    ...(storeHeader === undefined ? {} : { storeHeader }),
  };
}

/** POST /v2/images/{id}/import: 202 once the import has started; the image turns active (or gains stores) when it ends. */
export function imageImportRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.post('/v2/images/:image_id/import', { schema: { params: ImageIdParams } }, async (request, reply) => {
      const importRequest = parseImportBody(request.body, importMethodsOf(images.backends), storeHeaderOf(request));
      // Glance checks copy_image for a copy (an administrator's by default), modify_image (the owner) for the rest.
      await images.importImage(request.requestContext, request.params.image_id, importRequest, (image, method) =>
        authorizeOnImage(deps, request, method === 'copy-image' ? 'copy_image' : 'modify_image', image),
      );
      return reply.code(202).send();
    });
  };
}
