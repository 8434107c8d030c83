import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { catalogRoutes } from './catalog.js';
import { domainConfigRoutes } from './domain-configs.js';
import { domainRoutes } from './domains.js';
import { endpointGroupRoutes } from './endpoint-groups.js';
import { grantRoutes } from './grants.js';
import { groupRoutes } from './groups.js';
import { oauthConsumerRoutes } from './oauth-consumers.js';
import { policyRoutes } from './policies.js';
import { projectTagRoutes } from './project-tags.js';
import { projectRoutes } from './projects.js';
import { roleAssignmentRoutes } from './role-assignments.js';
import { roleRoutes } from './roles.js';
import type { IdentityRouteDeps } from './route-deps.js';
import { systemGrantRoutes } from './system-grants.js';
import { userRoutes } from './users.js';

export type { IdentityRouteDeps } from './route-deps.js';

/** Keystone v3's resource API (everything but /v3/auth), registered at `/v3/…` of the identity plugin. */
export function identityResourceRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [domainRoutes, projectRoutes, projectTagRoutes, userRoutes, groupRoutes, roleRoutes, grantRoutes, systemGrantRoutes, roleAssignmentRoutes, catalogRoutes, policyRoutes, endpointGroupRoutes, oauthConsumerRoutes, domainConfigRoutes]) {
      await app.register(routes(deps));
    }
  };
}
