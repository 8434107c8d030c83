import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { agentRoutes } from './agents.js';
import { extensionRoutes } from './extensions.js';
import { floatingIpRoutes } from './floating-ips.js';
import { networkResourceRoutes } from './networks.js';
import { portRoutes } from './ports.js';
import { quotaRoutes } from './quotas.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { routerRoutes } from './routers.js';
import { securityGroupRoutes } from './security-groups.js';
import { subnetPoolRoutes } from './subnet-pools.js';
import { subnetRoutes } from './subnets.js';
import { tagRoutes } from './tags.js';

export type { NetworkRouteDeps } from './route-deps.js';

/** Neutron's API v2.0, registered at `/v2.0/…` of the network plugin (behind the auth middleware). */
export function networkV2Routes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [networkResourceRoutes, subnetRoutes, subnetPoolRoutes, portRoutes, securityGroupRoutes, routerRoutes, floatingIpRoutes, quotaRoutes, tagRoutes, agentRoutes]) {
      await app.register(routes(deps));
    }
    await app.register(extensionRoutes());
  };
}
