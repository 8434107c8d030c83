import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NeutronFault } from '../../errors.js';
import { QUOTA_RESOURCES, type QuotaLimits } from '../../plugin/quotas.js';
import { check } from './policy-checks.js';
import type { NetworkRouteDeps } from './route-deps.js';

const Limit = Type.Integer({ minimum: -1, maximum: 2147483647 });
const QuotaBody = Type.Object(
  { quota: Type.Object(Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, Type.Optional(Limit)])), { additionalProperties: false }) },
  { additionalProperties: false },
);
const ProjectParams = Type.Object({ project_id: Type.String() });

function forbidden(action: string): NeutronFault {
  return new NeutronFault(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy`);
}

/**
 * Neutron's quotasv2: anyone reads their own project's quota (the get_quota rule guards other
 * projects'), administrators set and reset them.
 */
export function quotaRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps.plugin;
  const authorize = (request: FastifyRequest, action: string, projectId?: string) => {
    if (action === 'get_quota' && projectId !== undefined && projectId === request.requestContext.projectId) return;
    if (!check(deps, request, action, { project_id: projectId, tenant_id: projectId })) throw forbidden(action);
  };
  const withOwner = (projectId: string, limits: QuotaLimits) => ({ ...limits, project_id: projectId, tenant_id: projectId });

  return async (app) => {
    app.get('/v2.0/quotas', async (request) => {
      authorize(request, 'get_quota');
      return { quotas: (await quotas.listSet()).map(({ projectId, limits }) => withOwner(projectId, limits)) };
    });
    app.get('/v2.0/quotas/:project_id', { schema: { params: ProjectParams } }, async (request) => {
      authorize(request, 'get_quota', request.params.project_id);
      return { quota: await quotas.limits(request.params.project_id) };
    });
    app.get('/v2.0/quotas/:project_id/default', { schema: { params: ProjectParams } }, async (request) => {
      authorize(request, 'get_quota', request.params.project_id);
      return { quota: quotas.getDefaults() };
    });
    // Neutron's routes take a `.json` format suffix; Tempest's quotas client asks for details.json.
    for (const details of ['details', 'details.json']) {
      app.get(`/v2.0/quotas/:project_id/${details}`, { schema: { params: ProjectParams } }, async (request) => {
        authorize(request, 'get_quota', request.params.project_id);
        const limits = await quotas.limits(request.params.project_id);
        const used = await quotas.usage(request.params.project_id);
        return { quota: Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, { limit: limits[resource], used: used[resource], reserved: 0 }])) };
      });
    }
    app.put('/v2.0/quotas/:project_id', { schema: { params: ProjectParams, body: QuotaBody } }, async (request) => {
      authorize(request, 'update_quota', request.params.project_id);
      return { quota: await quotas.update(request.params.project_id, request.body.quota) };
    });
    app.delete('/v2.0/quotas/:project_id', { schema: { params: ProjectParams } }, async (request, reply) => {
      authorize(request, 'delete_quota', request.params.project_id);
      await quotas.reset(request.params.project_id);
      return reply.code(204).send();
    });
  };
}
