import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { PolicyRef } from '../../resources/policies.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks } from './links.js';
import { renderEntity } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, OptionalString } from './schema-types.js';

const PolicyProperties = { blob: Type.String(), type: Type.String({ maxLength: 255 }) };

/** keystone/policy/schema.py: blob and type; other fields are kept as extra. */
export const PolicyCreateBody = Type.Object({ policy: Type.Object(PolicyProperties, { additionalProperties: true }) });
export const PolicyUpdateBody = Type.Object({ policy: Type.Partial(Type.Object(PolicyProperties), { additionalProperties: true, minProperties: 1 }) });

/** Keystone's /v3/policies: the administrator's store of policy blobs. */
export function policyRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { policies } = deps.managers;
  const render = (ref: PolicyRef) => renderEntity(deps.publicUrl, 'policies', ref, { type: ref.type, blob: ref.blob });

  return async (app) => {
    app.get('/v3/policies', { schema: { querystring: Type.Object({ type: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_policies', { ...request.query });
      return { policies: (await policies.list(request.query)).map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/policies', { schema: { body: PolicyCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_policy');
      const body = request.body.policy;
      return reply.code(201).send({ policy: render(await policies.create({ ...body, extra: extraOf(body, PolicyProperties) })) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'policies',
      member: 'policy',
      updateBody: PolicyUpdateBody,
      properties: PolicyProperties,
      render,
      target: entityTarget('policy', (id) => policies.get(id), render),
      get: (id) => policies.get(id),
      update: (id, changes) => policies.update(id, changes),
      delete: (id) => policies.delete(id),
    });
  };
}
