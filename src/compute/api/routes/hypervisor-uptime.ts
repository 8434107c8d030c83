import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServersService } from '../../servers/servers-service.js';
import { renderHypervisor } from './hypervisor-views.js';
import { nodeKey, withStatistics } from './hypervisors.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const HypervisorParams = Type.Object({ hypervisor_id: Type.String() });

/**
 * GET /os-hypervisors/{id}/uptime (until 2.87): the host's `uptime` line, asked of its compute
 * agent as Nova asks its driver; a host whose service is down is Nova's 400.
 */
export function hypervisorUptimeRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/os-hypervisors/:hypervisor_id/uptime', { schema: { params: HypervisorParams } }, async (request) => {
      withStatistics.select(request.microversion);
      authorize(deps, request, 'os_compute_api:os-hypervisors:uptime', {});
      const id = request.params.hypervisor_id;
      const hypervisor = await admin.hypervisors.get(nodeKey(request, id), id);
      const { host } = hypervisor.node;
      if (!hypervisor.service.up) throw new BadRequest(`Compute service of ${host} is unavailable at this time.`);
      const uptime = await servers.actionSupport.agents.call(host, 'get_host_uptime', {});
      return { hypervisor: { ...renderHypervisor(request, hypervisor, { detail: false }), uptime } };
    });
  };
}
