import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import type { CatalogServiceRef } from '../../resources/catalog-services.js';
import type { EndpointRef } from '../../resources/endpoints.js';
import type { RegionRef } from '../../resources/regions.js';
import { registerEntityRoutes } from './entity-routes.js';
import { collectionLinks } from './links.js';
import { renderEndpoint, renderRegion, renderService } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams, Nullable, OptionalString } from './schema-types.js';

const RegionProperties = {
  id: Type.Optional(Type.String()),
  description: Type.Optional(Nullable(Type.String())),
  parent_region_id: Type.Optional(Nullable(Type.String())),
};
const ServiceProperties = {
  type: Type.String({ minLength: 1, maxLength: 255 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '[\\S]+' })),
  description: Type.Optional(Nullable(Type.String())),
  enabled: Type.Optional(Type.Boolean()),
};
const Interface = Type.Union([Type.Literal('admin'), Type.Literal('internal'), Type.Literal('public')]);
const EndpointProperties = {
  interface: Interface,
  service_id: Type.String(),
  url: Type.String({ minLength: 0, maxLength: 225, pattern: '^[a-zA-Z0-9+.-]+:.+' }),
  region_id: Type.Optional(Nullable(Type.String())),
  /** The legacy name of region_id, still sent by old clients. */
  region: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Boolean()),
};

// keystone/catalog/schema.py: every catalog entity keeps unknown fields as extra attributes.
export const RegionCreateBody = Type.Object({ region: Type.Object(RegionProperties, { additionalProperties: true }) });
export const RegionUpdateBody = Type.Object({ region: Type.Object(RegionProperties, { additionalProperties: true, minProperties: 1 }) });
export const ServiceCreateBody = Type.Object({ service: Type.Object(ServiceProperties, { additionalProperties: true }) });
export const ServiceUpdateBody = Type.Object({
  service: Type.Partial(Type.Object(ServiceProperties), { additionalProperties: true, minProperties: 1 }),
});
export const EndpointCreateBody = Type.Object({ endpoint: Type.Object(EndpointProperties, { additionalProperties: true }) });
export const EndpointUpdateBody = Type.Object({
  endpoint: Type.Partial(Type.Object(EndpointProperties), { additionalProperties: true, minProperties: 1 }),
});
export const EndpointListQuery = Type.Object({ interface: Type.Optional(Interface), service_id: OptionalString, region_id: OptionalString });

/** /v3/regions, /v3/services and /v3/endpoints: the service catalog. */
export function catalogRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { regions, services, endpoints } = deps.managers;
  const url = deps.publicUrl;

  /**
   * An endpoint's region: `region_id` as given (the manager checks it exists); without one, the
   * legacy `region`, which Keystone creates when missing, for backward compatibility.
   */
  const legacyRegion = async (body: { readonly region_id?: string | null; readonly region?: string }) => {
    if ((body.region_id ?? null) !== null || body.region === undefined) return body.region_id;
    try {
      await regions.get(body.region);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      await regions.create({ id: body.region });
    }
    return body.region;
  };

  return async (app) => {
    app.get('/v3/regions', { schema: { querystring: Type.Object({ parent_region_id: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_regions', { ...request.query });
      const refs = await regions.list(request.query);
      return { regions: refs.map((ref) => renderRegion(url, ref)), links: collectionLinks(url, request) };
    });
    app.post('/v3/regions', { schema: { body: RegionCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_region');
      const body = request.body.region;
      const ref = await regions.create({ ...body, extra: extraOf(body, RegionProperties) });
      return reply.code(201).send({ region: renderRegion(url, ref) });
    });
    // keystone/api/regions.py: PUT creates a region with the id in the path (POST may too).
    app.put('/v3/regions/:id', { schema: { params: IdParams, body: RegionCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_region');
      const body = request.body.region;
      if (body.id !== undefined && body.id !== request.params.id) {
        throw new BadRequest(`Conflicting region IDs specified: "${request.params.id}" != "${body.id}"`);
      }
      const ref = await regions.create({ ...body, id: request.params.id, extra: extraOf(body, RegionProperties) });
      return reply.code(201).send({ region: renderRegion(url, ref) });
    });
    registerEntityRoutes(app, deps, {
      collection: 'regions', member: 'region', updateBody: RegionUpdateBody, properties: RegionProperties, render: (ref: RegionRef) => renderRegion(url, ref),
      target: async (id) => ({ region_id: id }),
      get: (id) => regions.get(id), update: (id, changes) => regions.update(id, changes), delete: (id) => regions.delete(id),
    });

    app.get('/v3/services', { schema: { querystring: Type.Object({ type: OptionalString, name: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_services', { ...request.query });
      const refs = await services.list(request.query);
      return { services: refs.map((ref) => renderService(url, ref)), links: collectionLinks(url, request) };
    });
    app.post('/v3/services', { schema: { body: ServiceCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_service');
      const body = request.body.service;
      const ref = await services.create({ ...body, extra: extraOf(body, ServiceProperties) });
      return reply.code(201).send({ service: renderService(url, ref) });
    });
    registerEntityRoutes(app, deps, {
      collection: 'services', member: 'service', updateBody: ServiceUpdateBody, properties: ServiceProperties, render: (ref: CatalogServiceRef) => renderService(url, ref),
      target: async (id) => ({ service_id: id }),
      get: (id) => services.get(id), update: (id, changes) => services.update(id, changes), delete: (id) => services.delete(id),
    });

    app.get('/v3/endpoints', { schema: { querystring: EndpointListQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_endpoints', { ...request.query });
      const refs = await endpoints.list(request.query);
      return { endpoints: refs.map((ref) => renderEndpoint(url, ref)), links: collectionLinks(url, request) };
    });
    app.post('/v3/endpoints', { schema: { body: EndpointCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_endpoint');
      const body = request.body.endpoint;
      const ref = await endpoints.create({ ...body, region_id: await legacyRegion(body), extra: extraOf(body, EndpointProperties) });
      return reply.code(201).send({ endpoint: renderEndpoint(url, ref) });
    });
    registerEntityRoutes(app, deps, {
      collection: 'endpoints', member: 'endpoint', updateBody: EndpointUpdateBody, properties: EndpointProperties, render: (ref: EndpointRef) => renderEndpoint(url, ref),
      target: async (id) => ({ endpoint_id: id }),
      get: (id) => endpoints.get(id),
      update: async (id, changes) => endpoints.update(id, { ...changes, region_id: await legacyRegion(changes) }),
      delete: (id) => endpoints.delete(id),
    });
  };
}
