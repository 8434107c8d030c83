import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { createOnNetworkTarget, onNetworkTarget } from './network-target.js';
import { check } from './policy-checks.js';
import { ownedTarget, resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, IntegerLike, integerOf, Name, OWNED, Uuid } from './schema-types.js';

const Pool = Type.Object({ start: Type.String(), end: Type.String() }, { additionalProperties: false });
const HostRoute = Type.Object({ destination: Type.String(), nexthop: Type.String() }, { additionalProperties: false });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SubnetCreateBody = Type.Object(
  {
    ...OWNED,
    network_id: Uuid,
    ip_version: Type.Union([Type.Literal(4), Type.Literal(6)]),
    cidr: Type.Optional(Type.String()),
    gateway_ip: Type.Optional(NullableString),
    enable_dhcp: Type.Optional(Type.Boolean()),
    allocation_pools: Type.Optional(Type.Array(Pool)),
    dns_nameservers: Type.Optional(Type.Array(Type.String())),
    host_routes: Type.Optional(Type.Array(HostRoute)),
    ipv6_ra_mode: Type.Optional(NullableString),
    ipv6_address_mode: Type.Optional(NullableString),
    subnetpool_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    prefixlen: Type.Optional(IntegerLike),
    use_default_subnetpool: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const SubnetUpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    gateway_ip: Type.Optional(NullableString),
    enable_dhcp: Type.Optional(Type.Boolean()),
    allocation_pools: Type.Optional(Type.Array(Pool)),
    dns_nameservers: Type.Optional(Type.Array(Type.String())),
    host_routes: Type.Optional(Type.Array(HostRoute)),
  },
  { additionalProperties: false },
);

/** /v2.0/subnets: made only on a network the caller sees (404 otherwise). */
export function subnetRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { plugin } = deps;
  return resourceRoutes(deps, {
    collection: 'subnets',
    member: 'subnet',
    createBody: SubnetCreateBody,
    updateBody: SubnetUpdateBody,
    notFound: (id) => notFound('Subnet', id),
    create: (owner, body) => plugin.subnets.create(owner, { ...body, prefixlen: integerOf(body.prefixlen) }),
    list: () => plugin.subnets.list(undefined),
    get: (id) => plugin.subnets.get(id),
    update: (id, body) => plugin.subnets.update(id, body),
    delete: (id) => plugin.subnets.delete(id),
    target: (view, lookups) => onNetworkTarget(plugin, view, view['project_id'], lookups),
    createTarget: async (owner, body, request) => {
      const target = await createOnNetworkTarget(deps, request, body, owner);
      // Neutron reads the pool in the caller's scope: another project's private pool is not found.
      if (typeof body.subnetpool_id === 'string') {
        const pool = await plugin.subnetPools.get(body.subnetpool_id);
        if (!check(deps, request, 'get_subnetpool', ownedTarget(pool, pool['project_id']))) throw notFound('Subnet pool', body.subnetpool_id, 'SubnetPoolNotFound');
      }
      return target;
    },
  });
}
