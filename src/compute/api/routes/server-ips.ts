/** GET /v2.1/servers/{id}/ips[/{network_label}]: Nova's IPsController over the server's network info. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import type { ServersService } from '../../servers/servers-service.js';
import { renderAddresses } from './render-addresses.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const NetworkParams = Type.Object({ server_id: Type.String(), network_label: Type.String() });

export function serverIpRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/ips', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:ips:index', { project_id: server.row.project_id });
      return { addresses: renderAddresses(server.networkInfo, false) };
    });

    app.get('/v2.1/servers/:server_id/ips/:network_label', { schema: { params: NetworkParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:ips:show', { project_id: server.row.project_id });
      const label = request.params.network_label;
      const addresses = renderAddresses(server.networkInfo, false)[label];
      if (addresses === undefined) throw new NotFound('Instance is not a member of specified network');
      return { [label]: addresses };
    });
  };
}
