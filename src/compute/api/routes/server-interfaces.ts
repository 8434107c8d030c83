/**
 * /v2.1/servers/{id}/os-interface[/{port_id}]: the server's ports (Nova's attach_interfaces index
 * and show), attach (create: 200 with the attachment once the port is in the guest) and detach
 * (delete: 202). The create schema takes a tag from 2.49; the view shows it from 2.70.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotImplemented } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { InterfaceRequest, ServerInterfaces } from '../../servers/server-interfaces.js';
import type { Server } from '../../servers/server.js';
import type { ServersService } from '../../servers/servers-service.js';
import { NovaTag } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const PortParams = Type.Object({ server_id: Type.String(), port_id: Type.String() });

/** schemas/attach_interfaces.py: one fixed IP at most. */
const FixedIps = Type.Array(Type.Object({ ip_address: Type.String({ format: 'ipv4' }) }, { additionalProperties: false }), { minItems: 1, maxItems: 1 });

function createSchema(extra: Record<string, TSchema>) {
  return Type.Object(
    {
      interfaceAttachment: Type.Optional(
        Type.Object({ net_id: Type.Optional(Type.String({ format: 'uuid' })), port_id: Type.Optional(Type.String({ format: 'uuid' })), fixed_ips: Type.Optional(FixedIps), ...extra }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  );
}

interface CreateBody {
  readonly interfaceAttachment?: { readonly net_id?: string; readonly port_id?: string; readonly fixed_ips?: readonly { readonly ip_address: string }[]; readonly tag?: string };
}

/** schemas/attach_interfaces.py create and create_v249 (tag). */
const CREATE = versioned<(body: unknown) => CreateBody>([
  { min: '2.1', max: '2.48', value: bodyValidator(createSchema({})) },
  { min: '2.49', value: bodyValidator(createSchema({ tag: Type.Optional(NovaTag) })) },
]);

/** Nova's raise_feature_not_supported where no network API is configured. */
function interfacesOf(servers: ServersService): ServerInterfaces {
  if (servers.interfaces === undefined) throw new NotImplemented('The requested functionality is not supported.');
  return servers.interfaces;
}

/** The controller's own checks of the body (InterfaceAttachmentController.create). */
function interfaceRequest(body: CreateBody): InterfaceRequest {
  const { net_id: networkId, port_id: portId, fixed_ips: fixedIps, tag } = body.interfaceAttachment ?? {};
  if (networkId !== undefined && portId !== undefined) throw new BadRequest('Must not input both network_id and port_id');
  if (fixedIps !== undefined && networkId === undefined) throw new BadRequest('Must input network_id when request IP address');
  const tagged = tag === undefined ? {} : { tag };
  if (portId !== undefined) return { portId, ...tagged };
  if (networkId === undefined) throw new BadRequest('Must input network_id or port_id');
  const fixedIp = fixedIps?.[0]?.ip_address;
  return { networkId, ...(fixedIp === undefined ? {} : { fixedIp }), ...tagged };
}

type Rule = 'list' | 'show' | 'create' | 'delete';

async function serverFor(deps: ComputeRouteDeps, servers: ServersService, request: FastifyRequest, serverId: string, rule: Rule): Promise<Server> {
  const server = await servers.get(request.requestContext, serverId);
  authorize(deps, request, `os_compute_api:os-attach-interfaces:${rule}`, { project_id: server.row.project_id });
  return server;
}

export function serverInterfaceRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-interface', { schema: { params: ServerParams } }, async (request) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'list');
      return { interfaceAttachments: await interfacesOf(servers).list(request.requestContext, server, request.microversion.isAtLeast('2.70')) };
    });

    app.get('/v2.1/servers/:server_id/os-interface/:port_id', { schema: { params: PortParams } }, async (request) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'show');
      return { interfaceAttachment: await interfacesOf(servers).show(request.requestContext, server, request.params.port_id, request.microversion.isAtLeast('2.70')) };
    });

    app.post('/v2.1/servers/:server_id/os-interface', { schema: { params: ServerParams } }, async (request) => {
      const body = CREATE.select(request.microversion)(request.body ?? {});
      const server = await serverFor(deps, servers, request, request.params.server_id, 'create');
      const attached = await interfacesOf(servers).attach(request.requestContext, server, interfaceRequest(body), request.microversion.isAtLeast('2.70'));
      return { interfaceAttachment: attached };
    });

    app.delete('/v2.1/servers/:server_id/os-interface/:port_id', { schema: { params: PortParams } }, async (request, reply) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'delete');
      await interfacesOf(servers).detach(request.requestContext, server, request.params.port_id);
      return reply.code(202).send();
    });
  };
}
