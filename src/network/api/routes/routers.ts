import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import type { RouterUpdate } from '../../plugin/routers.js';
import { enforceOn } from './policy-checks.js';
import { ownedTarget, resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, Name, OWNED, Uuid } from './schema-types.js';

const FixedIp = Type.Object({ subnet_id: Type.Optional(Type.String()), ip_address: Type.Optional(Type.String()) }, { additionalProperties: false });
/** A gateway on a network, or none: `null` or `{}` (what Neutron's clients send for a router without one). */
const GatewayInfo = Type.Union([
  Type.Object(
    { network_id: Uuid, enable_snat: Type.Optional(Type.Boolean()), external_fixed_ips: Type.Optional(Type.Array(FixedIp)) },
    { additionalProperties: false },
  ),
  Type.Object({}, { additionalProperties: false }),
  Type.Null(),
]);

export const RouterCreateBody = Type.Object(
  { ...OWNED, admin_state_up: Type.Optional(Type.Boolean()), external_gateway_info: Type.Optional(GatewayInfo) },
  { additionalProperties: false },
);
export const RouterUpdateBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description), admin_state_up: Type.Optional(Type.Boolean()), external_gateway_info: Type.Optional(GatewayInfo) },
  { additionalProperties: false },
);
/** add/remove_router_interface: a subnet or a port, not both. */
const InterfaceBody = Type.Union([
  Type.Object({ subnet_id: Uuid }, { additionalProperties: false }),
  Type.Object({ port_id: Uuid }, { additionalProperties: false }),
]);
const IdParams = Type.Object({ id: Type.String() });

/** The body with an empty gateway (`{}`) as no gateway (`null`), as Neutron reads a gateway without a network. */
function gatewayOrNull<B extends { external_gateway_info?: Static<typeof GatewayInfo> }>(body: B): Omit<B, 'external_gateway_info'> & RouterUpdate {
  const info = body.external_gateway_info;
  if (info === undefined || info === null || 'network_id' in info) return body as Omit<B, 'external_gateway_info'> & RouterUpdate;
  return { ...body, external_gateway_info: null };
}

/** /v2.0/routers and their add/remove_router_interface actions. */
export function routerRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { routers } = deps.plugin;
  const routerNotFound = (id: string) => notFound('Router', id);
  return async (app) => {
    await app.register(
      resourceRoutes(deps, {
        collection: 'routers',
        member: 'router',
        createBody: RouterCreateBody,
        updateBody: RouterUpdateBody,
        notFound: routerNotFound,
        create: (owner, body) => routers.create(owner, gatewayOrNull(body)),
        list: (caller) => routers.list(caller.isAdmin ? undefined : caller.projectId ?? ''),
        get: (id) => routers.get(id),
        update: (id, body) => routers.update(id, gatewayOrNull(body)),
        delete: (id) => routers.delete(id),
        target: async (view) => ownedTarget(view, view['project_id']),
        createTarget: async (owner, body) => ownedTarget(body, owner),
      }),
    );
    for (const action of ['add_router_interface', 'remove_router_interface'] as const) {
      app.put(`/v2.0/routers/:id/${action}`, { schema: { params: IdParams, body: InterfaceBody } }, async (request) => {
        const router = await routers.get(request.params.id);
        enforceOn(deps, request, action, 'router', ownedTarget(router, router['project_id']), () => routerNotFound(request.params.id));
        return action === 'add_router_interface' ? routers.addInterface(request.params.id, request.body) : routers.removeInterface(request.params.id, request.body);
      });
    }
  };
}
