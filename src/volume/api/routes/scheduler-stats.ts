import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseBoolean } from '../../volumes/volume-list-query.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

const Project = Type.Object({ project_id: Type.String() });

/**
 * scheduler-stats/get_pools (cinder/api/contrib/scheduler_stats.py): the pools the scheduler holds
 * reports of, by name, or with their capabilities given `detail`; a disabled or frozen backend's are
 * not among them, as in Cinder. Cinder's name and volume_type filters are not made.
 */
export function schedulerStatsRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v3/:project_id/scheduler-stats/get_pools', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'scheduler_extension:scheduler_stats:get_pools', ownTarget(request));
      const detail = parseBoolean(queryOf(request)['detail'], 'detail') === true;
      const pools = await deps.scheduler.getPools();
      return { pools: pools.map((pool) => (detail ? { name: pool.name, capabilities: pool.capabilities } : { name: pool.name })) };
    });
  };
}
