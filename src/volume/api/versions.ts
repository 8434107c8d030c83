import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

import { VOLUME_MAX_VERSION, VOLUME_MIN_VERSION } from './microversions.js';

export { VOLUME_MAX_VERSION, VOLUME_MIN_VERSION } from './microversions.js';

function v3Entry(base: string) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: VOLUME_MAX_VERSION,
    min_version: VOLUME_MIN_VERSION,
    updated: '2016-02-08T12:20:21Z',
    links: [{ rel: 'self', href: `${base}/volume/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

/** Cinder lists its versions with 300 at the root and 200 at /v3. */
export function volumeVersionRoutes(deps: ApiServiceDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async (_request, reply) => reply.code(300).send({ versions: [v3Entry(deps.publicUrl)] }));
    app.get('/v3', { config: { public: true } }, async () => ({ versions: [v3Entry(deps.publicUrl)] }));
    app.get('/v3/', { config: { public: true } }, async () => ({ versions: [v3Entry(deps.publicUrl)] }));
  };
}
