import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { ownedTarget, resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, IntegerLike, integerOf, ProjectId } from './schema-types.js';

/** Neutron validates a pool's name as a non-empty string. */
const PoolName = Type.String({ minLength: 1, maxLength: 255 });
const Prefixes = Type.Array(Type.String({ maxLength: 64 }));
const AddressScopeId = Type.Union([Type.String({ maxLength: 36 }), Type.Null()]);

export const SubnetPoolCreateBody = Type.Object(
  {
    project_id: Type.Optional(ProjectId),
    tenant_id: Type.Optional(ProjectId),
    name: Type.Optional(PoolName),
    description: Type.Optional(Description),
    prefixes: Prefixes,
    default_prefixlen: Type.Optional(IntegerLike),
    min_prefixlen: Type.Optional(IntegerLike),
    max_prefixlen: Type.Optional(IntegerLike),
    default_quota: Type.Optional(IntegerLike),
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
    default_prefixlen: Type.Optional(IntegerLike),
    min_prefixlen: Type.Optional(IntegerLike),
    max_prefixlen: Type.Optional(IntegerLike),
    default_quota: Type.Optional(IntegerLike),
    is_default: Type.Optional(Type.Boolean()),
    address_scope_id: Type.Optional(AddressScopeId),
  },
  { additionalProperties: false },
);

type IntegerAttributes = Partial<Record<'default_prefixlen' | 'min_prefixlen' | 'max_prefixlen' | 'default_quota', number | string>>;

/** The integer attributes as numbers (undefined where absent). */
function integers(body: IntegerAttributes) {
  return {
    default_prefixlen: integerOf(body.default_prefixlen),
    min_prefixlen: integerOf(body.min_prefixlen),
    max_prefixlen: integerOf(body.max_prefixlen),
    default_quota: integerOf(body.default_quota),
  };
}

/** /v2.0/subnetpools: a project's own pools and the shared ones. */
export function subnetPoolRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { subnetPools } = deps.plugin;
  return resourceRoutes(deps, {
    collection: 'subnetpools',
    member: 'subnetpool',
    createBody: SubnetPoolCreateBody,
    updateBody: SubnetPoolUpdateBody,
    notFound: (id) => notFound('Subnet pool', id, 'SubnetPoolNotFound'),
    create: (owner, body) => subnetPools.create(owner, { ...body, ...integers(body) }),
    list: (caller) => subnetPools.list(caller),
    get: (id) => subnetPools.get(id),
    update: (id, body) => subnetPools.update(id, { ...body, ...integers(body) }),
    delete: (id) => subnetPools.delete(id),
    target: async (view) => ownedTarget(view, view['project_id']),
    createTarget: async (owner, body) => ownedTarget(body, owner),
  });
}
