import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RoleInference, RoleRef } from '../../resources/roles.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks, v3Url } from './links.js';
import { renderInferenceRole, renderRole } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams, IdString, Name255, Nullable, OptionalString, Options } from './schema-types.js';

const RoleProperties = {
  name: Name255,
  description: Type.Optional(Nullable(Type.String())),
  domain_id: Type.Optional(Nullable(IdString)),
  options: Type.Optional(Options),
};

/** keystone/assignment/schema.py role_create: unknown fields are kept as extra attributes. */
export const RoleCreateBody = Type.Object({ role: Type.Object(RoleProperties, { additionalProperties: true }) });
export const RoleUpdateBody = Type.Object({
  role: Type.Partial(Type.Object(RoleProperties), { additionalProperties: true, minProperties: 1 }),
});
export const RoleListQuery = Type.Object({ name: OptionalString, domain_id: OptionalString });
export const ImpliedRoleParams = Type.Object({ id: Type.String(), impliedId: Type.String() });

/** /v3/roles, their implications (/v3/roles/{prior}/implies/{implied}) and /v3/role_inferences. */
export function roleRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { roles } = deps.managers;
  const render = (ref: RoleRef) => renderRole(deps.publicUrl, ref);
  const roleTarget = entityTarget('role', (id) => roles.get(id), render, 'role_id');
  const inference = (found: RoleInference, single: boolean) => ({
    prior_role: renderInferenceRole(deps.publicUrl, found.prior),
    implies: single && found.implies[0] !== undefined
      ? renderInferenceRole(deps.publicUrl, found.implies[0])
      : found.implies.map((ref) => renderInferenceRole(deps.publicUrl, ref)),
  });
  const impliedLink = (priorId: string, impliedId: string) => ({ self: v3Url(deps.publicUrl, `/roles/${priorId}/implies/${impliedId}`) });

  return async (app) => {
    app.get('/v3/roles', { schema: { querystring: RoleListQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_roles', { ...request.query });
      const refs = await roles.list(request.query);
      return { roles: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/roles', { schema: { body: RoleCreateBody } }, async (request, reply) => {
      const body = request.body.role;
      authorize(deps, request, 'identity:create_role', { role: body });
      const ref = await roles.create({ ...body, extra: extraOf(body, RoleProperties) });
      return reply.code(201).send({ role: render(ref) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'roles', member: 'role', updateBody: RoleUpdateBody, properties: RoleProperties, render, target: roleTarget,
      get: (id) => roles.get(id), update: (id, changes) => roles.update(id, changes), delete: (id) => roles.delete(id),
    });

    app.get('/v3/roles/:id/implies', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:list_implied_roles', { prior_role_id: request.params.id });
      return {
        role_inference: inference(await roles.listImplied(request.params.id), false),
        links: { self: v3Url(deps.publicUrl, `/roles/${request.params.id}/implies`) },
      };
    });

    app.put('/v3/roles/:id/implies/:impliedId', { schema: { params: ImpliedRoleParams } }, async (request, reply) => {
      const { id, impliedId } = request.params;
      authorize(deps, request, 'identity:create_implied_role', { prior_role_id: id, implied_role_id: impliedId });
      const found = await roles.createImplied(id, impliedId);
      return reply.code(201).send({ role_inference: inference(found, true), links: impliedLink(id, impliedId) });
    });

    // Fastify answers HEAD from this GET. Keystone's HEAD checks check_implied_role and then
    // get_implied_role, and answers 204 (not the GET's 200; kept for its API contract).
    app.get('/v3/roles/:id/implies/:impliedId', { schema: { params: ImpliedRoleParams } }, async (request, reply) => {
      const { id, impliedId } = request.params;
      const target = { prior_role_id: id, implied_role_id: impliedId };
      if (request.method === 'HEAD') authorize(deps, request, 'identity:check_implied_role', target);
      authorize(deps, request, 'identity:get_implied_role', target);
      const found = await roles.getImplied(id, impliedId);
      if (request.method === 'HEAD') return reply.code(204).send();
      return { role_inference: inference(found, true), links: impliedLink(id, impliedId) };
    });

    app.delete('/v3/roles/:id/implies/:impliedId', { schema: { params: ImpliedRoleParams } }, async (request, reply) => {
      const { id, impliedId } = request.params;
      authorize(deps, request, 'identity:delete_implied_role', { prior_role_id: id, implied_role_id: impliedId });
      await roles.deleteImplied(id, impliedId);
      return reply.code(204).send();
    });

    app.get('/v3/role_inferences', async (request) => {
      authorize(deps, request, 'identity:list_role_inference_rules');
      return { role_inferences: (await roles.listInferences()).map((found) => inference(found, false)) };
    });
  };
}
