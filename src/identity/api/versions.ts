import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

/** Keystone's v3 entry; 3.14 is Zed's identity API version. */
function v3Entry(base: string) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** Version discovery as keystoneauth reads it: a 300 list at the root, the single version at /v3. */
export function identityVersionRoutes(deps: ApiServiceDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async (_request, reply) => reply.code(300).send({ versions: { values: [v3Entry(deps.publicUrl)] } }));
    app.get('/v3', { config: { public: true } }, async () => ({ version: v3Entry(deps.publicUrl) }));
    app.get('/v3/', { config: { public: true } }, async () => ({ version: v3Entry(deps.publicUrl) }));
  };
}
