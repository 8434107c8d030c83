import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { EndpointGroupRef } from '../../resources/endpoint-groups.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks } from './links.js';
import { renderEntity } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { Name255, Nullable, OptionalString } from './schema-types.js';

const EndpointGroupProperties = {
  name: Name255,
  description: Type.Optional(Nullable(Type.String())),
  filters: Type.Object({}, { additionalProperties: true }),
};

// keystone/catalog/schema.py endpoint_group_*: Keystone's table has no extra column, so other fields are refused.
export const EndpointGroupCreateBody = Type.Object({ endpoint_group: Type.Object(EndpointGroupProperties, { additionalProperties: false }) });
export const EndpointGroupUpdateBody = Type.Object({
  endpoint_group: Type.Partial(Type.Object(EndpointGroupProperties), { additionalProperties: false, minProperties: 1 }),
});

const COLLECTION = 'OS-EP-FILTER/endpoint_groups';

/** Keystone's /v3/OS-EP-FILTER/endpoint_groups: the administrator's named endpoint filters. */
export function endpointGroupRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { endpointGroups } = deps.managers;
  const render = (ref: EndpointGroupRef) =>
    renderEntity(deps.publicUrl, COLLECTION, ref, { name: ref.name, description: ref.description, filters: ref.filters });

  return async (app) => {
    app.get(`/v3/${COLLECTION}`, { schema: { querystring: Type.Object({ name: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_endpoint_groups', { ...request.query });
      return { endpoint_groups: (await endpointGroups.list(request.query)).map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post(`/v3/${COLLECTION}`, { schema: { body: EndpointGroupCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_endpoint_group');
      return reply.code(201).send({ endpoint_group: render(await endpointGroups.create(request.body.endpoint_group)) });
    });

    registerEntityRoutes(app, deps, {
      collection: COLLECTION,
      member: 'endpoint_group',
      updateBody: EndpointGroupUpdateBody,
      properties: EndpointGroupProperties,
      render,
      target: entityTarget('endpoint_group', (id) => endpointGroups.get(id), render),
      get: (id) => endpointGroups.get(id),
      update: (id, changes) => endpointGroups.update(id, changes),
      delete: (id) => endpointGroups.delete(id),
    });
  };
}
