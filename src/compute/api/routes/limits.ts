import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { versioned } from '../../../common/http/versioned.js';
import type { QuotaResource, QuotaSet } from '../../quotas/quota-resources.js';
import { last, MultiParam, unknownQueryCheck } from './nova-types.js';
import { authorize, projectIdOf, type ComputeRouteDeps } from './route-deps.js';

export const LimitsQuerystring = Type.Object({ tenant_id: MultiParam(Type.String()) }, { additionalProperties: true });

/** views/limits.py limit_names: the absolute limits each quota resource prints as. */
const LIMIT_NAMES: readonly [QuotaResource, string][] = [
  ['ram', 'maxTotalRAMSize'],
  ['instances', 'maxTotalInstances'],
  ['cores', 'maxTotalCores'],
  ['key_pairs', 'maxTotalKeypairs'],
  ['floating_ips', 'maxTotalFloatingIps'],
  ['metadata_items', 'maxServerMeta'],
  ['metadata_items', 'maxImageMeta'],
  ['injected_files', 'maxPersonality'],
  ['injected_file_content_bytes', 'maxPersonalitySize'],
  ['security_groups', 'maxSecurityGroups'],
  ['security_group_rules', 'maxSecurityGroupRules'],
  ['server_groups', 'maxServerGroups'],
  ['server_group_members', 'maxServerGroupMembers'],
];
/** _build_used_limits' quota_map. */
const USED_NAMES: readonly [QuotaResource, string][] = [
  ['ram', 'totalRAMUsed'],
  ['cores', 'totalCoresUsed'],
  ['instances', 'totalInstancesUsed'],
  ['floating_ips', 'totalFloatingIpsUsed'],
  ['security_groups', 'totalSecurityGroupsUsed'],
  ['server_groups', 'totalServerGroupsUsed'],
];

interface LimitsView {
  /** Resources the version no longer prints (Nova's FILTERED_LIMITS_2_36 / _2_57). */
  readonly filtered: readonly QuotaResource[];
  /** maxImageMeta went with the image-metadata proxy at 2.39. */
  readonly maxImageMeta: boolean;
}

const FILTERED_2_36: readonly QuotaResource[] = ['floating_ips', 'security_groups', 'security_group_rules'];
const FILTERED_2_57: readonly QuotaResource[] = [...FILTERED_2_36, 'injected_files', 'injected_file_content_bytes'];
const VIEWS = versioned<LimitsView>([
  { min: '2.1', max: '2.35', value: { filtered: [], maxImageMeta: true } },
  { min: '2.36', max: '2.38', value: { filtered: FILTERED_2_36, maxImageMeta: true } },
  { min: '2.39', max: '2.56', value: { filtered: FILTERED_2_36, maxImageMeta: false } },
  { min: '2.57', value: { filtered: FILTERED_2_57, maxImageMeta: false } },
]);
const checkQuery = unknownQueryCheck(LimitsQuerystring);

/** Nova's limits ViewBuilder.build: absolute limits and usage, no rate limits. */
function renderLimits(view: LimitsView, limit: QuotaSet, used: QuotaSet): Record<string, unknown> {
  const absolute: Record<string, number> = {};
  for (const [resource, name] of LIMIT_NAMES) {
    if (view.filtered.includes(resource) || (name === 'maxImageMeta' && !view.maxImageMeta)) continue;
    absolute[name] = limit[resource];
  }
  for (const [resource, name] of USED_NAMES) if (!view.filtered.includes(resource)) absolute[name] = used[resource];
  return { limits: { rate: [], absolute } };
}

/** /v2.1/limits: the caller's project, or `tenant_id`'s for those allowed. */
export function limitRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v2.1/limits', { schema: { querystring: LimitsQuerystring } }, async (request) => {
      checkQuery(request);
      authorize(deps, request, 'os_compute_api:limits', {});
      const asked = last(request.query.tenant_id);
      const projectId = asked ?? projectIdOf(request);
      // Nova checks limits:other_project whenever tenant_id is given, the caller's own project too.
      if (asked !== undefined) authorize(deps, request, 'os_compute_api:limits:other_project', { project_id: asked });
      const [limit, used] = await Promise.all([quotas.limits(projectId), quotas.usage(projectId)]);
      return renderLimits(VIEWS.select(request.microversion), limit, used);
    });
  };
}
