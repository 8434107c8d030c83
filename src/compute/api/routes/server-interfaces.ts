/** GET /v2.1/servers/{id}/os-interface[/{port_id}]: the server's ports (Nova's attach_interfaces index and show). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotImplemented } from '../../../common/errors/errors.js';
import type { ServerInterfaces } from '../../servers/server-interfaces.js';
import type { ServersService } from '../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const PortParams = Type.Object({ server_id: Type.String(), port_id: Type.String() });

/** Nova's raise_feature_not_supported where no network API is configured. */
function interfacesOf(servers: ServersService): ServerInterfaces {
  if (servers.interfaces === undefined) throw new NotImplemented('The requested functionality is not supported.');
  return servers.interfaces;
}

export function serverInterfaceRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-interface', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-attach-interfaces:list', { project_id: server.row.project_id });
      return { interfaceAttachments: await interfacesOf(servers).list(request.requestContext, server, request.microversion.isAtLeast('2.70')) };
    });

    app.get('/v2.1/servers/:server_id/os-interface/:port_id', { schema: { params: PortParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-attach-interfaces:show', { project_id: server.row.project_id });
      return { interfaceAttachment: await interfacesOf(servers).show(request.requestContext, server, request.params.port_id, request.microversion.isAtLeast('2.70')) };
    });
  };
}
