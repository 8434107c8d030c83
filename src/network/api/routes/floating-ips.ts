import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { check } from './policy-checks.js';
import { ownedTarget, resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, OWNED, Uuid } from './schema-types.js';

const NullableUuid = Type.Union([Uuid, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const FloatingIpCreateBody = Type.Object(
  {
    project_id: OWNED.project_id,
    tenant_id: OWNED.tenant_id,
    description: OWNED.description,
    floating_network_id: Uuid,
    floating_ip_address: Type.Optional(Type.String()),
    subnet_id: Type.Optional(Uuid),
    port_id: Type.Optional(NullableUuid),
    fixed_ip_address: Type.Optional(NullableString),
  },
  { additionalProperties: false },
);
export const FloatingIpUpdateBody = Type.Object(
  { port_id: Type.Optional(NullableUuid), fixed_ip_address: Type.Optional(NullableString), description: Type.Optional(Description) },
  { additionalProperties: false },
);

/** /v2.0/floatingips: from a network the caller sees (404 otherwise) that is external (400 otherwise). */
export function floatingIpRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { plugin } = deps;
  return resourceRoutes(deps, {
    collection: 'floatingips',
    member: 'floatingip',
    createBody: FloatingIpCreateBody,
    updateBody: FloatingIpUpdateBody,
    notFound: (id) => notFound('Floating IP', id, 'FloatingIPNotFound'),
    create: (owner, body) => plugin.floatingIps.create(owner, body),
    list: (caller) => plugin.floatingIps.list(caller.isAdmin ? undefined : caller.projectId ?? ''),
    get: (id) => plugin.floatingIps.get(id),
    update: (id, body) => plugin.floatingIps.update(id, body),
    delete: (id) => plugin.floatingIps.delete(id),
    target: async (view) => ownedTarget(view, view['project_id']),
    createTarget: async (owner, body, request) => {
      const network = await plugin.networks.get(body.floating_network_id);
      if (!check(deps, request, 'get_network', ownedTarget(network, network['project_id']))) throw notFound('Network', body.floating_network_id);
      return ownedTarget(body, owner);
    },
  });
}
