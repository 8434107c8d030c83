import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

/** The core resources /v2.0 lists: member and collection names (paths use dashes). */
const RESOURCES = [
  ['network', 'networks'],
  ['subnet', 'subnets'],
  ['port', 'ports'],
] as const;

/** Neutron's root lists v2.0 (entries carry only id, status and links); /v2.0 lists its resources. */
export function networkVersionRoutes(deps: ApiServiceDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async () => ({
      versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${deps.publicUrl}/network/v2.0/` }] }],
    }));
    const resources = async () => ({
      resources: RESOURCES.map(([name, collection]) => ({
        name,
        collection,
        links: [{ rel: 'self', href: `${deps.publicUrl}/network/v2.0/${collection.replace(/_/g, '-')}` }],
      })),
    });
    app.get('/v2.0', { config: { public: true } }, resources);
    app.get('/v2.0/', { config: { public: true } }, resources);
  };
}
