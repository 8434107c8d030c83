import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { ownedTarget, resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, ProjectId } from './schema-types.js';

/** Neutron validates a pool's name as a non-empty string. */
const PoolName = Type.String({ minLength: 1, maxLength: 255 });
const Prefixlen = Type.Integer({ minimum: 0 });
const Prefixes = Type.Array(Type.String({ maxLength: 64 }));
const AddressScopeId = Type.Union([Type.String({ maxLength: 36 }), Type.Null()]);

export const SubnetPoolCreateBody = Type.Object(
  {
    project_id: Type.Optional(ProjectId),
    tenant_id: Type.Optional(ProjectId),
    name: Type.Optional(PoolName),
    description: Type.Optional(Description),
    prefixes: Prefixes,
    default_prefixlen: Type.Optional(Prefixlen),
    min_prefixlen: Type.Optional(Prefixlen),
    max_prefixlen: Type.Optional(Prefixlen),
    default_quota: Type.Optional(Type.Integer({ minimum: 0 })),
    shared: Type.Optional(Type.Boolean()),
    is_default: Type.Optional(Type.Boolean()),
    address_scope_id: Type.Optional(AddressScopeId),
  },
  { additionalProperties: false },
);

export const SubnetPoolUpdateBody = Type.Object(
  {
    name: Type.Optional(PoolName),
    description: Type.Optional(Description),
    prefixes: Type.Optional(Prefixes),
    default_prefixlen: Type.Optional(Prefixlen),
    min_prefixlen: Type.Optional(Prefixlen),
    max_prefixlen: Type.Optional(Prefixlen),
    default_quota: Type.Optional(Type.Integer({ minimum: 0 })),
    is_default: Type.Optional(Type.Boolean()),
    address_scope_id: Type.Optional(AddressScopeId),
  },
  { additionalProperties: false },
);

/** /v2.0/subnetpools: a project's own pools and the shared ones. */
export function subnetPoolRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { subnetPools } = deps.plugin;
  return resourceRoutes(deps, {
    collection: 'subnetpools',
    member: 'subnetpool',
    createBody: SubnetPoolCreateBody,
    updateBody: SubnetPoolUpdateBody,
    notFound: (id) => notFound('Subnet pool', id, 'SubnetPoolNotFound'),
    create: (owner, body) => subnetPools.create(owner, body),
    list: (caller) => subnetPools.list(caller),
    get: (id) => subnetPools.get(id),
    update: (id, body) => subnetPools.update(id, body),
    delete: (id) => subnetPools.delete(id),
    target: async (view) => ownedTarget(view, view['project_id']),
    createTarget: async (owner, body) => ownedTarget(body, owner),
  });
}
