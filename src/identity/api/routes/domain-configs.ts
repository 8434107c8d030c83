import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { DomainConfigScope } from '../../db/domain-config-store.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';

/** `{config: {...}}`: groups of options, or one option's `{name: value}` on an option's path. */
export const DomainConfigBody = Type.Object({ config: Type.Object({}, { additionalProperties: true }) });
const DomainParams = Type.Object({ id: Type.String() });
const GroupParams = Type.Object({ id: Type.String(), group: Type.String() });
const OptionParams = Type.Object({ id: Type.String(), group: Type.String(), option: Type.String() });

/** The group and option a request's path names. */
function scopeOf(request: FastifyRequest): DomainConfigScope {
  const params = request.params as { readonly group?: string; readonly option?: string };
  return { ...(params.group === undefined ? {} : { group: params.group }), ...(params.option === undefined ? {} : { option: params.option }) };
}

/**
 * Keystone's domain-specific configuration: /v3/domains/{id}/config[/{group}[/{option}]] (PUT the
 * whole, GET/PATCH/DELETE at any level) and the defaults at /v3/domains/config[/{group}[/{option}]]/default.
 */
export function domainConfigRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { domainConfigs } = deps.managers;

  return async (app) => {
    for (const [path, params] of [
      ['/v3/domains/config/default', Type.Object({})],
      ['/v3/domains/config/:group/default', Type.Object({ group: Type.String() })],
      ['/v3/domains/config/:group/:option/default', Type.Object({ group: Type.String(), option: Type.String() })],
    ] as const) {
      app.get(path, { schema: { params } }, async (request) => {
        authorize(deps, request, 'identity:get_domain_config_default');
        return { config: domainConfigs.defaults(scopeOf(request)) };
      });
    }

    app.put('/v3/domains/:id/config', { schema: { params: DomainParams, body: DomainConfigBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_domain_config');
      const { config, created } = await domainConfigs.create(request.params.id, request.body.config);
      return reply.code(created ? 201 : 200).send({ config });
    });

    for (const [path, params] of [
      ['/v3/domains/:id/config', DomainParams],
      ['/v3/domains/:id/config/:group', GroupParams],
      ['/v3/domains/:id/config/:group/:option', OptionParams],
    ] as const) {
      app.get(path, { schema: { params } }, async (request) => {
        authorize(deps, request, 'identity:get_domain_config');
        return { config: await domainConfigs.get(request.params.id, scopeOf(request)) };
      });
      app.patch(path, { schema: { params, body: DomainConfigBody } }, async (request) => {
        authorize(deps, request, 'identity:update_domain_config');
        return { config: await domainConfigs.update(request.params.id, request.body.config, scopeOf(request)) };
      });
      app.delete(path, { schema: { params } }, async (request, reply) => {
        authorize(deps, request, 'identity:delete_domain_config');
        await domainConfigs.delete(request.params.id, scopeOf(request));
        return reply.code(204).send();
      });
    }
  };
}
