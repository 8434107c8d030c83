import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import { isImportMethod, type ImportRequest } from '../../images/image-import.js';
import { ImageIdParams } from './images.js';
import { authorizeOnImage, type ImageRouteDeps } from './route-deps.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An import body checked as Glance's deserializer checks it, before the image is looked up.
 * `stores` and `all_stores` choose among several stores; with one, Glance ignores them.
 */
function parseImportBody(body: unknown): ImportRequest {
  const method = isObject(body) ? body['method'] : undefined;
  if (!isObject(body) || method === undefined) throw new BadRequest("Import request requires a 'method' field.");
  const name = isObject(method) ? method['name'] : undefined;
  if (name === undefined) throw new BadRequest("Import request requires a 'name' field.");
  if (typeof name !== 'string' || !isImportMethod(name)) throw new BadRequest(`Unknown import method name '${typeof name === 'string' ? name : JSON.stringify(name)}'.`);
  const allStoresMustSucceed = body['all_stores_must_succeed'] ?? true;
  if (typeof allStoresMustSucceed !== 'boolean') throw new BadRequest("'all_stores_must_succeed' must be boolean value only");
  if (typeof (body['all_stores'] ?? false) !== 'boolean') throw new BadRequest("'all_stores' must be boolean value only");
  return { method: name, allStoresMustSucceed };
}

/** POST /v2/images/{id}/import: 202 once the import has started; the image turns active when it ends. */
export function imageImportRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.post('/v2/images/:image_id/import', { schema: { params: ImageIdParams } }, async (request, reply) => {
      const importRequest = parseImportBody(request.body);
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_image', image);
      await images.importImage(request.requestContext, image.id, importRequest);
      return reply.code(202).send();
    });
  };
}
