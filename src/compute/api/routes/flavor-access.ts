import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, Conflict, NotFound } from '../../../common/errors/errors.js';
import { FlavorParams } from './flavors.js';
import { renderFlavorAccess } from './render.js';
import { verifyProjectId } from './project-check.js';
import { authorize, viewerOf, type ComputeRouteDeps } from './route-deps.js';

const Tenant = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-]*$' }) }, { additionalProperties: false });

/** The flavor action body: exactly one of Nova's two flavor actions (others are 400, as Nova's dispatcher). */
export const FlavorActionBody = Type.Object(
  { addTenantAccess: Type.Optional(Tenant), removeTenantAccess: Type.Optional(Tenant) },
  { additionalProperties: true, minProperties: 1, maxProperties: 1 },
);

/** /v2.1/flavors/{id}/os-flavor-access and the add/removeTenantAccess actions (admin). */
export function flavorAccessRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { flavors } = deps;
  return async (app) => {
    app.get('/v2.1/flavors/:flavor_id/os-flavor-access', { schema: { params: FlavorParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-access', {});
      const flavor = await flavors.get(viewerOf(request), request.params.flavor_id);
      if (flavor.is_public) throw new NotFound('Access list not available for public flavors.');
      return renderFlavorAccess(flavor.flavorid, await flavors.accessList(flavor.flavorid));
    });

    app.post('/v2.1/flavors/:flavor_id/action', { schema: { params: FlavorParams, body: FlavorActionBody } }, async (request) => {
      const { addTenantAccess, removeTenantAccess } = request.body;
      if (addTenantAccess !== undefined) {
        authorize(deps, request, 'os_compute_api:os-flavor-access:add_tenant_access', {});
        await verifyProjectId(deps.projectExists, addTenantAccess.tenant);
        const flavor = await flavors.get(viewerOf(request), request.params.flavor_id);
        // Before 2.7 Nova recorded access to a public flavor too; from 2.7 it refuses.
        if (flavor.is_public && request.microversion.isAtLeast('2.7')) throw new Conflict('Can not add access to a public flavor.');
        await flavors.addAccess(flavor.flavorid, addTenantAccess.tenant);
        return renderFlavorAccess(flavor.flavorid, await flavors.accessList(flavor.flavorid));
      }
      if (removeTenantAccess !== undefined) {
        authorize(deps, request, 'os_compute_api:os-flavor-access:remove_tenant_access', {});
        const flavor = await flavors.get(viewerOf(request), request.params.flavor_id);
        await flavors.removeAccess(flavor.flavorid, removeTenantAccess.tenant);
        return renderFlavorAccess(flavor.flavorid, await flavors.accessList(flavor.flavorid));
      }
      throw new BadRequest(`There is no such action: ${Object.keys(request.body)[0] ?? ''}`);
    });
  };
}
