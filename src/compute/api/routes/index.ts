import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { flavorAccessRoutes } from './flavor-access.js';
import { flavorExtraSpecRoutes } from './flavor-extra-specs.js';
import { flavorRoutes } from './flavors.js';
import { keyPairRoutes } from './keypairs.js';
import { limitRoutes } from './limits.js';
import { quotaSetRoutes } from './quota-sets.js';
import type { ComputeRouteDeps } from './route-deps.js';

export type { ComputeRouteDeps } from './route-deps.js';

/** Nova's flavor, key pair, quota and limits APIs at `/v2.1/…` of the compute plugin (behind the auth middleware). */
export function computeRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [flavorRoutes, flavorExtraSpecRoutes, flavorAccessRoutes, keyPairRoutes, quotaSetRoutes, limitRoutes]) {
      await app.register(routes(deps));
    }
  };
}
