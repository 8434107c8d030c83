import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

/** Highest and lowest compute microversions really implemented; the SDK caps its requests at the max. */
export const COMPUTE_MIN_VERSION = '2.1';
export const COMPUTE_MAX_VERSION = '2.79';

function v21Entry(base: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: COMPUTE_MAX_VERSION,
    min_version: COMPUTE_MIN_VERSION,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${base}/compute/v2.1/` }],
  };
}

/** Nova's discovery documents: the list at the root (200), the single version at /v2.1. */
export function computeVersionRoutes(deps: Pick<ApiServiceDeps, 'publicUrl'>): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async () => ({ versions: [v21Entry(deps.publicUrl)] }));
    const single = async () => ({
      version: {
        ...v21Entry(deps.publicUrl),
        links: [
          { rel: 'self', href: `${deps.publicUrl}/compute/v2.1/` },
          { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      },
    });
    app.get('/v2.1', { config: { public: true } }, single);
    app.get('/v2.1/', { config: { public: true } }, single);
  };
}
