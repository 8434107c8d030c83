import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
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
    app.get('/v3/regions/:id', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:get_region', { region_id: request.params.id });
      return { region: renderRegion(url, await regions.get(request.params.id)) };
    });
    app.patch('/v3/regions/:id', { schema: { params: IdParams, body: RegionUpdateBody } }, async (request) => {
      authorize(deps, request, 'identity:update_region', { region_id: request.params.id });
      const body = request.body.region;
      return { region: renderRegion(url, await regions.update(request.params.id, { ...body, extra: extraOf(body, RegionProperties) })) };
    });
    app.delete('/v3/regions/:id', { schema: { params: IdParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_region', { region_id: request.params.id });
      await regions.delete(request.params.id);
      return reply.code(204).send();
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
    app.get('/v3/services/:id', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:get_service', { service_id: request.params.id });
      return { service: renderService(url, await services.get(request.params.id)) };
    });
    app.patch('/v3/services/:id', { schema: { params: IdParams, body: ServiceUpdateBody } }, async (request) => {
      authorize(deps, request, 'identity:update_service', { service_id: request.params.id });
      const body = request.body.service;
      return { service: renderService(url, await services.update(request.params.id, { ...body, extra: extraOf(body, ServiceProperties) })) };
    });
    app.delete('/v3/services/:id', { schema: { params: IdParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_service', { service_id: request.params.id });
      await services.delete(request.params.id);
      return reply.code(204).send();
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
    app.get('/v3/endpoints/:id', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:get_endpoint', { endpoint_id: request.params.id });
      return { endpoint: renderEndpoint(url, await endpoints.get(request.params.id)) };
    });
    app.patch('/v3/endpoints/:id', { schema: { params: IdParams, body: EndpointUpdateBody } }, async (request) => {
      authorize(deps, request, 'identity:update_endpoint', { endpoint_id: request.params.id });
      const body = request.body.endpoint;
      const ref = await endpoints.update(request.params.id, { ...body, region_id: await legacyRegion(body), extra: extraOf(body, EndpointProperties) });
      return { endpoint: renderEndpoint(url, ref) };
    });
    app.delete('/v3/endpoints/:id', { schema: { params: IdParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_endpoint', { endpoint_id: request.params.id });
      await endpoints.delete(request.params.id);
      return reply.code(204).send();
    });
  };
}
