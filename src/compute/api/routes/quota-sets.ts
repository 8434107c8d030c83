import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import { INJECTED_FILE_RESOURCES, NETWORK_RESOURCES, QUOTA_RESOURCES, type QuotaResource, type QuotaSet } from '../../quotas/quota-resources.js';
import { NovaBoolean, boolFromString, MultiParam, QuotaLimit, queryLists, unknownQueryCheck } from './nova-types.js';
import { verifyProjectId } from './project-check.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** Nova's FILTERED_QUOTAS_2_36: the nova-network resources, gone from request and answer at 2.36. */
const FILTERED_2_36 = NETWORK_RESOURCES;
/** FILTERED_QUOTAS_2_57: personality files went at 2.57, their quotas with them. */
const FILTERED_2_57: readonly QuotaResource[] = [...NETWORK_RESOURCES, ...INJECTED_FILE_RESOURCES];

function updateBody(filtered: readonly QuotaResource[], extra: Record<string, TSchema> = {}) {
  const resources = QUOTA_RESOURCES.filter((resource) => !filtered.includes(resource));
  return Type.Object(
    {
      quota_set: Type.Object(
        { ...Object.fromEntries(resources.map((resource) => [resource, Type.Optional(QuotaLimit)])), ...extra, force: Type.Optional(NovaBoolean) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
}
/** quota_sets.update (2.1–2.35): `networks` is accepted by the schema, then refused. */
export const QuotaUpdateBody = updateBody([], { networks: Type.Optional(QuotaLimit) });
export const QuotaUpdateBodyV236 = updateBody(FILTERED_2_36);
export const QuotaUpdateBodyV257 = updateBody(FILTERED_2_57);

type UpdateSet = Readonly<Record<string, number | string | boolean | undefined>>;

interface QuotaView {
  readonly filtered: readonly QuotaResource[];
  readonly validate: (body: unknown) => { quota_set: UpdateSet };
}

const VIEWS = versioned<QuotaView>([
  { min: '2.1', max: '2.35', value: { filtered: [], validate: bodyValidator(QuotaUpdateBody) } },
  { min: '2.36', max: '2.56', value: { filtered: FILTERED_2_36, validate: bodyValidator(QuotaUpdateBodyV236) } },
  { min: '2.57', value: { filtered: FILTERED_2_57, validate: bodyValidator(QuotaUpdateBodyV257) } },
]);

export const QuotaParams = Type.Object({ project_id: Type.String() });
/** quota_sets.query_schema: user_id; unknown parameters are a 400 from 2.75. */
export const QuotaQuerystring = Type.Object({ user_id: MultiParam(Type.String()) }, { additionalProperties: true });
const checkQuery = unknownQueryCheck(QuotaQuerystring);

/** `?user_id=`: a user's own quotas inside the project (Nova reads the first value given). */
function userIdOf(request: FastifyRequest): string | undefined {
  return queryLists(request.query)['user_id']?.[0] || undefined;
}

/** Nova's _format_quota_set: the version's resources in Nova's order, with `id` when Nova prints one (not after update). */
function renderQuotaSet<T>(request: FastifyRequest, values: Readonly<Record<QuotaResource, T>>, id?: string): Record<string, unknown> {
  const { filtered } = VIEWS.select(request.microversion);
  const shown = QUOTA_RESOURCES.filter((resource) => !filtered.includes(resource));
  return { ...(id === undefined ? {} : { id }), ...Object.fromEntries(shown.map((resource) => [resource, values[resource]])) };
}

/** /v2.1/os-quota-sets/{project_id}: show, detail, defaults, update and revert to defaults. */
export function quotaSetRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams, querystring: QuotaQuerystring } }, async (request) => {
      checkQuery(request);
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:show', { project_id: projectId });
      await verifyProjectId(deps.projectExists, projectId);
      return { quota_set: renderQuotaSet(request, await quotas.limits(projectId, userIdOf(request)), projectId) };
    });

    app.get('/v2.1/os-quota-sets/:project_id/detail', { schema: { params: QuotaParams, querystring: QuotaQuerystring } }, async (request) => {
      checkQuery(request);
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:detail', { project_id: projectId });
      await verifyProjectId(deps.projectExists, projectId);
      const detail = await quotas.detail(projectId, userIdOf(request));
      const withReserved = Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, { ...detail[resource], reserved: 0 }])) as Record<QuotaResource, unknown>;
      return { quota_set: renderQuotaSet(request, withReserved, projectId) };
    });

    app.get('/v2.1/os-quota-sets/:project_id/defaults', { schema: { params: QuotaParams } }, async (request) => {
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:defaults', { project_id: projectId });
      await verifyProjectId(deps.projectExists, projectId);
      return { quota_set: renderQuotaSet(request, await quotas.defaults(), projectId) };
    });

    app.put('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams, querystring: QuotaQuerystring } }, async (request) => {
      const { quota_set: asked } = VIEWS.select(request.microversion).validate(request.body);
      checkQuery(request);
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:update', { project_id: projectId });
      await verifyProjectId(deps.projectExists, projectId);
      if (asked['networks'] !== undefined) throw new BadRequest('The networks quota has been removed');
      const { force, ...limits } = asked;
      const values: Partial<QuotaSet> = {};
      for (const [resource, limit] of Object.entries(limits) as [QuotaResource, number | string | undefined][]) {
        if (limit !== undefined) values[resource] = Number(limit);
      }
      const forced = force === undefined ? false : (boolFromString(force as boolean | string) ?? false);
      const updated = await quotas.update(projectId, values, forced, userIdOf(request));
      return { quota_set: renderQuotaSet(request, updated) };
    });

    app.delete('/v2.1/os-quota-sets/:project_id', { schema: { params: QuotaParams, querystring: QuotaQuerystring } }, async (request, reply) => {
      checkQuery(request);
      const projectId = request.params.project_id;
      authorize(deps, request, 'os_compute_api:os-quota-sets:delete', { project_id: projectId });
      await quotas.reset(projectId, userIdOf(request));
      return reply.code(202).send();
    });
  };
}
