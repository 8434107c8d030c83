import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DomainRef } from '../../resources/domains.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks, queryFlag } from './links.js';
import { renderDomain } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, Name64, Nullable, OptionalString, Options, Tags } from './schema-types.js';

const DomainProperties = {
  name: Name64,
  description: Type.Optional(Nullable(Type.String())),
  enabled: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Tags),
  options: Type.Optional(Options),
};

/** keystone/resource/schema.py domain_create: unknown fields are kept as extra attributes. */
export const DomainCreateBody = Type.Object({ domain: Type.Object(DomainProperties, { additionalProperties: true }) });
export const DomainUpdateBody = Type.Object({
  domain: Type.Partial(Type.Object(DomainProperties), { additionalProperties: true, minProperties: 1 }),
});
export const DomainListQuery = Type.Object({ name: OptionalString, enabled: OptionalString });

/** /v3/domains. */
export function domainRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { domains } = deps.managers;
  const render = (ref: DomainRef) => renderDomain(deps.publicUrl, ref);

  return async (app) => {
    app.get('/v3/domains', { schema: { querystring: DomainListQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_domains', { ...request.query });
      const refs = await domains.list({ name: request.query.name, enabled: queryFlag(request.query.enabled) });
      return { domains: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/domains', { schema: { body: DomainCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_domain');
      const body = request.body.domain;
      const ref = await domains.create({ ...body, extra: extraOf(body, DomainProperties) });
      return reply.code(201).send({ domain: render(ref) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'domains', member: 'domain', updateBody: DomainUpdateBody, properties: DomainProperties, render,
      target: entityTarget('domain', (id) => domains.get(id), render),
      get: (id) => domains.get(id), update: (id, changes) => domains.update(id, changes), delete: (id) => domains.delete(id),
    });
  };
}
