import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { importMethodsOf } from '../../images/image-import.js';
import type { ImageBackend, ImageBackends } from '../../stores/backends.js';
import { authorize, type ImageRouteDeps } from './route-deps.js';

/** A store as /v2/info/stores lists it; Glance writes `default` as the string "true". */
function storeSummary(backend: ImageBackend, backends: ImageBackends): Record<string, unknown> {
  return {
    id: backend.id,
    ...(backend.description === '' ? {} : { description: backend.description }),
    ...(backend === backends.default ? { default: 'true' } : {}),
  };
}

/** The stores, or Glance's 404 for a site without `enabled_backends`. */
function storesOf(backends: ImageBackends): readonly ImageBackend[] {
  if (!backends.multiple) throw new NotFound('Multi backend is not supported at this site.');
  return backends.list();
}

/**
 * Glance's discovery API (glance/api/v2/discovery.py): which import methods, stores and quota
 * usage the cloud offers. The token is the check, except for the stores' details (stores_info_detail).
 */
export function infoRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { backends } = deps.images;
  return async (app) => {
    app.get('/v2/info/import', async () => ({
      'import-methods': { description: 'Import methods available.', type: 'array', value: [...importMethodsOf(backends)] },
    }));

    app.get('/v2/info/stores', async () => ({ stores: storesOf(backends).map((backend) => storeSummary(backend, backends)) }));

    app.get('/v2/info/stores/detail', async (request) => {
      const stores = storesOf(backends);
      authorize(deps, request, 'stores_info_detail', {});
      return { stores: stores.map((backend) => ({ ...storeSummary(backend, backends), type: backend.type, properties: backend.properties })) };
    });

    app.get('/v2/info/usage', async (request) => ({ usage: await deps.images.usage(request.requestContext) }));
  };
}
