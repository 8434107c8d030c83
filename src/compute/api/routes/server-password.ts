/** GET and DELETE /v2.1/servers/{id}/os-server-password: the password the guest posted, and its removal. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { extractPassword, passwordMetadata } from '../../servers/server-password.js';
import type { ServersService } from '../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

export function serverPasswordRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-server-password', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-server-password:show', { project_id: server.row.project_id });
      return { password: extractPassword(await servers.store.systemMetadata(server.row.uuid)) };
    });

    // Clears what the metadata service keeps; the guest's own password does not change.
    app.delete('/v2.1/servers/:server_id/os-server-password', { schema: { params: ServerParams } }, async (request, reply) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-server-password:clear', { project_id: server.row.project_id });
      await servers.store.writeSystemMetadata(server.row.uuid, passwordMetadata(''));
      return reply.code(204).send();
    });
  };
}
