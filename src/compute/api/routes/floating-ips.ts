/** Nova's floating IP proxy (floating_ips.py, floating_ip_pools.py): /v2.1/os-floating-ips and /v2.1/os-floating-ip-pools up to 2.35. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { ServersService } from '../../servers/servers-service.js';
import { proxyOnlyBefore236 } from './proxy-versions.js';
import { authorize, ownTarget, type ComputeRouteDeps } from './route-deps.js';
import { proxiesOf } from './security-groups.js';

const FloatingIpParams = Type.Object({ id: Type.String() });

/** The create body is optional and unchecked by Nova's schema; a pool, when given, names an external network. */
function poolOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('pool' in body)) return undefined;
  const { pool } = body;
  if (pool === null) return undefined;
  if (typeof pool !== 'string') throw new BadRequest('Invalid input for field/attribute pool. Value: must be a string.');
  return pool;
}

export function floatingIpRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    proxyOnlyBefore236(app);

    app.get('/v2.1/os-floating-ip-pools', async (request) => {
      authorize(deps, request, 'os_compute_api:os-floating-ip-pools', {});
      return { floating_ip_pools: (await proxiesOf(servers).floatingIps.pools(request.requestContext)).map((name) => ({ name })) };
    });

    app.get('/v2.1/os-floating-ips', async (request) => {
      authorize(deps, request, 'os_compute_api:os-floating-ips:list', ownTarget(request));
      return { floating_ips: await proxiesOf(servers).floatingIps.list(request.requestContext) };
    });

    app.get('/v2.1/os-floating-ips/:id', { schema: { params: FloatingIpParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-floating-ips:show', ownTarget(request));
      return { floating_ip: await proxiesOf(servers).floatingIps.get(request.requestContext, request.params.id) };
    });

    app.post('/v2.1/os-floating-ips', { schema: { body: Type.Unknown() } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-floating-ips:create', ownTarget(request));
      return { floating_ip: await proxiesOf(servers).floatingIps.allocate(request.requestContext, poolOf(request.body)) };
    });

    app.delete('/v2.1/os-floating-ips/:id', { schema: { params: FloatingIpParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-floating-ips:delete', ownTarget(request));
      await proxiesOf(servers).floatingIps.release(request.requestContext, request.params.id);
      return reply.code(202).send();
    });
  };
}
