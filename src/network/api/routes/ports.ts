import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import { createOnNetworkTarget, onNetworkTarget } from './network-target.js';
import { resourceRoutes } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, Name, OWNED, Uuid } from './schema-types.js';

const FixedIp = Type.Object({ subnet_id: Type.Optional(Type.String()), ip_address: Type.Optional(Type.String()) }, { additionalProperties: false });
const AddressPair = Type.Object({ ip_address: Type.String(), mac_address: Type.Optional(Type.String()) }, { additionalProperties: false });
/** Neutron's vnic types (portbindings.VNIC_TYPES); only `normal` binds on the Linux bridge. */
const VnicType = Type.Union(
  ['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa', 'remote-managed'].map((name) => Type.Literal(name)),
);

const PORT_ATTRIBUTES = {
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  admin_state_up: Type.Optional(Type.Boolean()),
  mac_address: Type.Optional(Type.String()),
  fixed_ips: Type.Optional(Type.Array(FixedIp)),
  device_id: Type.Optional(Type.String({ maxLength: 255 })),
  device_owner: Type.Optional(Type.String({ maxLength: 255 })),
  security_groups: Type.Optional(Type.Array(Type.String())),
  port_security_enabled: Type.Optional(Type.Boolean()),
  allowed_address_pairs: Type.Optional(Type.Array(AddressPair)),
  'binding:host_id': Type.Optional(Type.String({ maxLength: 255 })),
  'binding:vnic_type': Type.Optional(VnicType),
  // Free keys: a driver's own settings (Neutron checks only that it is a dict).
  'binding:profile': Type.Optional(Type.Object({}, { additionalProperties: Type.Unknown() })),
};

export const PortCreateBody = Type.Object({ ...OWNED, network_id: Uuid, ...PORT_ATTRIBUTES }, { additionalProperties: false });
export const PortUpdateBody = Type.Object(PORT_ATTRIBUTES, { additionalProperties: false });

/** /v2.0/ports: made only on a network the caller sees (404 otherwise). */
export function portRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { plugin } = deps;
  return resourceRoutes(deps, {
    collection: 'ports',
    member: 'port',
    createBody: PortCreateBody,
    updateBody: PortUpdateBody,
    notFound: (id) => notFound('Port', id),
    create: (owner, body) => plugin.ports.create(owner, body),
    list: (caller, filters, attributes) =>
      plugin.ports.list(caller.isAdmin ? undefined : caller.projectId ?? '', { deviceIds: filters.get('device_id'), networkIds: filters.get('network_id') }, attributes),
    get: (id) => plugin.ports.get(id),
    update: (id, body) => plugin.ports.update(id, body),
    delete: (id) => plugin.ports.delete(id),
    target: (view, lookups) => onNetworkTarget(plugin, view, view['project_id'], lookups),
    createTarget: (owner, body, request) => createOnNetworkTarget(deps, request, body, owner),
  });
}
