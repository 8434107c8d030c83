import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import { MAX_LIMIT } from '../../flavors/flavor.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServerGroup } from '../../admin/server-groups.js';
import { last, MultiParam, unknownQueryCheck, NonNegativeInteger, NovaName } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

type Policy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';
const HARD_POLICIES: readonly Policy[] = ['anti-affinity', 'affinity'];
const ALL_POLICIES: readonly Policy[] = [...HARD_POLICIES, 'soft-anti-affinity', 'soft-affinity'];
const PolicyEnum = (policies: readonly Policy[]) => Type.Unsafe<Policy>({ type: 'string', enum: [...policies] });
const Policies = (policies: readonly Policy[]) => Type.Array(PolicyEnum(policies), { minItems: 1, maxItems: 1, uniqueItems: true });
const wrap = <T extends TProperties>(properties: T) =>
  Type.Object({ server_group: Type.Object(properties, { additionalProperties: false }) }, { additionalProperties: false });

/** server_groups.create (2.1–2.14): one of the two hard policies, as a one-item list. */
export const ServerGroupCreateBody = wrap({ name: NovaName, policies: Policies(HARD_POLICIES) });
/** create_v215 (2.15–2.63): the soft policies too. */
export const ServerGroupCreateBodyV215 = wrap({ name: NovaName, policies: Policies(ALL_POLICIES) });
/** create_v264: `policy` as a string, and `rules` (max_server_per_host, anti-affinity only). */
export const ServerGroupCreateBodyV264 = wrap({
  name: NovaName,
  policy: PolicyEnum(ALL_POLICIES),
  rules: Type.Optional(
    Type.Object(
      { max_server_per_host: Type.Optional(Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 })) },
      { additionalProperties: false },
    ),
  ),
});
export const ServerGroupParams = Type.Object({ group_id: Type.String() });
/** server_groups_query_param: unknown parameters are ignored until 2.74, a 400 from 2.75. */
export const ServerGroupListQuerystring = Type.Object(
  { all_projects: MultiParam(Type.String()), limit: MultiParam(NonNegativeInteger), offset: MultiParam(NonNegativeInteger) },
  { additionalProperties: true },
);

/** The 2.64 switch from a policies list to policy + rules. */
const GROUP_POLICY_OBJ = '2.64';

interface GroupRequest {
  readonly policy: Policy;
  readonly rules: { readonly max_server_per_host?: number };
}

const validateCreate = bodyValidator(ServerGroupCreateBody);
const validateCreateV215 = bodyValidator(ServerGroupCreateBodyV215);
const validateCreateV264 = bodyValidator(ServerGroupCreateBodyV264);
const CREATE_BODIES = versioned<(body: unknown) => GroupRequest & { readonly name: string }>([
  { min: '2.1', max: '2.14', value: (body) => fromPolicies(validateCreate(body).server_group) },
  { min: '2.15', max: '2.63', value: (body) => fromPolicies(validateCreateV215(body).server_group) },
  {
    min: GROUP_POLICY_OBJ,
    value: (body) => {
      const { name, policy, rules = {} } = validateCreateV264(body).server_group;
      if (policy !== 'anti-affinity' && Object.keys(rules).length > 0) throw new BadRequest('Only anti-affinity policy supports rules.');
      const max = rules.max_server_per_host;
      return { name, policy, rules: max === undefined ? {} : { max_server_per_host: Number(max) } };
    },
  },
]);

function fromPolicies({ name, policies }: { name: string; policies: Policy[] }): GroupRequest & { readonly name: string } {
  return { name, policy: policies[0] ?? 'affinity', rules: {} };
}

const checkListQuery = unknownQueryCheck(ServerGroupListQuerystring);

/** Nova's _format_server_group: policies + metadata until 2.63, policy + rules from 2.64, owners from 2.13. */
function renderGroup(request: FastifyRequest, group: ServerGroup): Record<string, unknown> {
  const version = request.microversion;
  const { row } = group;
  return {
    id: row.uuid,
    name: row.name,
    ...(version.isAtLeast(GROUP_POLICY_OBJ) ? { policy: row.policy, rules: JSON.parse(row.rules) as unknown } : { policies: [row.policy], metadata: {} }),
    members: group.members,
    ...(version.isAtLeast('2.13') ? { project_id: row.project_id, user_id: row.user_id } : {}),
  };
}

/** common.limited: `offset` items skipped, at most `limit` (0 or absent: [api] max_limit) returned. */
function limited<T>(items: readonly T[], query: Static<typeof ServerGroupListQuerystring>): T[] {
  const offset = Number(last(query.offset) ?? 0);
  const limit = Math.min(MAX_LIMIT, Number(last(query.limit) ?? 0) || MAX_LIMIT);
  return items.slice(offset, offset + limit);
}

/** /v2.1/os-server-groups: create, list (limit/offset), show, delete. */
export function serverGroupRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const groups = admin.serverGroups;
  return async (app) => {
    app.post('/v2.1/os-server-groups', async (request) => {
      const context = request.requestContext;
      const wanted = CREATE_BODIES.select(request.microversion)(request.body);
      authorize(deps, request, 'os_compute_api:os-server-groups:create', { project_id: context.projectId });
      return { server_group: renderGroup(request, await groups.create(context, wanted.name, wanted.policy, wanted.rules)) };
    });

    app.get('/v2.1/os-server-groups', { schema: { querystring: ServerGroupListQuerystring } }, async (request) => {
      checkListQuery(request);
      const context = request.requestContext;
      authorize(deps, request, 'os_compute_api:os-server-groups:index', { project_id: context.projectId });
      // As Nova: any all_projects value counts, for admins; the policy may still refuse it.
      const all = request.query.all_projects !== undefined && (context.isAdmin ?? false);
      if (all) authorize(deps, request, 'os_compute_api:os-server-groups:index:all_projects', { project_id: context.projectId });
      const found = await groups.list(all ? undefined : (context.projectId ?? ''));
      return { server_groups: limited(found, request.query).map((group) => renderGroup(request, group)) };
    });

    app.get('/v2.1/os-server-groups/:group_id', { schema: { params: ServerGroupParams } }, async (request) => {
      const group = await groups.get(request.requestContext, request.params.group_id);
      authorize(deps, request, 'os_compute_api:os-server-groups:show', { project_id: group.row.project_id });
      return { server_group: renderGroup(request, group) };
    });

    app.delete('/v2.1/os-server-groups/:group_id', { schema: { params: ServerGroupParams } }, async (request, reply) => {
      const group = await groups.get(request.requestContext, request.params.group_id);
      authorize(deps, request, 'os_compute_api:os-server-groups:delete', { project_id: group.row.project_id });
      await groups.delete(request.requestContext, group.row.uuid);
      return reply.code(204).send();
    });
  };
}
