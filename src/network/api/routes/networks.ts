import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { resourceRoutes, ownedTarget } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, IntegerLike, integerOf, Name, OWNED } from './schema-types.js';

export const NetworkCreateBody = Type.Object(
  {
    ...OWNED,
    admin_state_up: Type.Optional(Type.Boolean()),
    shared: Type.Optional(Type.Boolean()),
    'router:external': Type.Optional(Type.Boolean()),
    mtu: Type.Optional(Type.Integer({ minimum: 68 })),
    port_security_enabled: Type.Optional(Type.Boolean()),
    'provider:network_type': Type.Optional(Type.String({ maxLength: 32 })),
    'provider:physical_network': Type.Optional(Type.String({ maxLength: 64 })),
    // Neutron's convert_to_int: the CLI sends `--provider-segment 101` as "101"; the type driver checks the range.
    'provider:segmentation_id': Type.Optional(IntegerLike),
  },
  { additionalProperties: false },
);

export const NetworkUpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    admin_state_up: Type.Optional(Type.Boolean()),
    shared: Type.Optional(Type.Boolean()),
    'router:external': Type.Optional(Type.Boolean()),
    mtu: Type.Optional(Type.Integer({ minimum: 68 })),
    port_security_enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** /v2.0/networks. */
export function networkResourceRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { networks } = deps.plugin;
  return resourceRoutes(deps, {
    collection: 'networks',
    member: 'network',
    createBody: NetworkCreateBody,
    updateBody: NetworkUpdateBody,
    notFound: (id) => notFound('Network', id),
    create: (owner, body) => {
      const { 'provider:segmentation_id': segment, ...rest } = body;
      return networks.create(owner, segment === undefined ? rest : { ...rest, 'provider:segmentation_id': integerOf(segment) });
    },
    list: (caller) => networks.list(caller.isAdmin ? undefined : caller.projectId ?? ''),
    get: (id) => networks.get(id),
    update: (id, body) => networks.update(id, body),
    delete: (id) => networks.delete(id),
    target: async (view) => ownedTarget(view, view['project_id']),
    createTarget: async (owner, body) => ownedTarget(body, owner),
  });
}
