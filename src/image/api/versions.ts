import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

function versions(base: string) {
  return { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/image/v2/` }] }] };
}

/** Glance answers its root with 300 Multiple Choices and /versions with 200, both listing versions. */
export function imageVersionRoutes(deps: ApiServiceDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async (_request, reply) => reply.code(300).send(versions(deps.publicUrl)));
    app.get('/versions', { config: { public: true } }, async () => versions(deps.publicUrl));
  };
}
