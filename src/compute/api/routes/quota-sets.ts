import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { QUOTA_RESOURCES, type QuotaResource, type QuotaSet } from '../../quotas/quota-resources.js';
import { NovaBoolean, boolFromString } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** quota_sets.update (2.1): every resource an int (or digit string) from -1, and `force`. */
const QuotaLimit = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1, maximum: 2147483647 });
export const QuotaUpdateBody = Type.Object(
  {
    quota_set: Type.Object(
      {
        ...Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, Type.Optional(QuotaLimit)])),
        force: Type.Optional(NovaBoolean),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const QuotaParams = Type.Object({ project_id: Type.String() });

/** A quota set in Nova's resource order, with `id` when Nova prints one (not after update). */
function renderQuotaSet<T>(values: Readonly<Record<QuotaResource, T>>, id?: string): Record<string, unknown> {
  return { ...(id === undefined ? {} : { id }), ...Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, values[resource]])) };
}

/** /v2.1/os-quota-sets/{project_id}: show, detail, defaults, update and revert to defaults. */
export function quotaSetRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams } }, async (request) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:show', { project_id: projectId });
      return { quota_set: renderQuotaSet(await quotas.limits(projectId), projectId) };
    });

    app.get('/v2.1/os-quota-sets/:project_id/detail', { schema: { params: QuotaParams } }, async (request) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:detail', { project_id: projectId });
      const userId = projectId === request.requestContext.projectId ? request.requestContext.userId : undefined;
      const detail = await quotas.detail(projectId, userId);
      const withReserved = Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, { ...detail[resource], reserved: 0 }])) as Record<
        QuotaResource,
        unknown
      >;
      return { quota_set: renderQuotaSet(withReserved, projectId) };
    });

    app.get('/v2.1/os-quota-sets/:project_id/defaults', { schema: { params: QuotaParams } }, async (request) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:defaults', {});
      return { quota_set: renderQuotaSet(await quotas.defaults(), projectId) };
    });

    app.put('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams, body: QuotaUpdateBody } }, async (request) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:update', { project_id: projectId });
      const { force, ...limits } = request.body.quota_set;
      const values: Partial<QuotaSet> = {};
      for (const [resource, limit] of Object.entries(limits) as [QuotaResource, number | string | undefined][]) {
        if (limit !== undefined) values[resource] = Number(limit);
      }
      const updated = await quotas.update(projectId, values, force === undefined ? false : (boolFromString(force) ?? false));
      return { quota_set: renderQuotaSet(updated) };
    });

    app.delete('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams } }, async (request, reply) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:delete', { project_id: projectId });
      await quotas.reset(projectId);
      return reply.code(202).send();
    });
  };
}
