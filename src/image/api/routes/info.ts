import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { IMPORT_METHODS } from '../../images/image-import.js';
import type { ImageRouteDeps } from './route-deps.js';

/**
 * Glance's discovery API (glance/api/v2/discovery.py): which import methods, stores and quota
 * usage the cloud offers. Glance enforces no policy on these; the token is the check.
 */
export function infoRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2/info/import', async () => ({
      'import-methods': { description: 'Import methods available.', type: 'array', value: [...IMPORT_METHODS] },
    }));

    // One store and no `enabled_backends`: Glance's answer for a single-store site.
    for (const url of ['/v2/info/stores', '/v2/info/stores/detail']) {
      app.get(url, async () => {
        throw new NotFound('Multi backend is not supported at this site.');
      });
    }

    app.get('/v2/info/usage', async (request) => ({ usage: await deps.images.usage(request.requestContext) }));
  };
}
