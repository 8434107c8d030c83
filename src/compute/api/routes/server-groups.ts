import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServerGroup } from '../../admin/server-groups.js';
import { boolFromString } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** server_groups.create (2.1): exactly one of the two hard policies (soft ones at 2.15). */
export const ServerGroupCreateBody = Type.Object(
  {
    server_group: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[\\S ]+(?<! )$' }),
        policies: Type.Array(Type.Unsafe<'affinity' | 'anti-affinity'>({ type: 'string', enum: ['affinity', 'anti-affinity'] }), { minItems: 1, maxItems: 1, uniqueItems: true }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const ServerGroupParams = Type.Object({ group_id: Type.String() });
export const ServerGroupListQuerystring = Type.Object({ all_projects: Type.Optional(Type.String()) }, { additionalProperties: true });

/** A group at 2.1: `policies` as a list, members, empty metadata. */
function renderGroup(group: ServerGroup): Record<string, unknown> {
  return { id: group.row.uuid, name: group.row.name, policies: [group.row.policy], members: group.members, metadata: {} };
}

/** /v2.1/os-server-groups: create, list, show, delete. */
export function serverGroupRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const groups = admin.serverGroups;
  return async (app) => {
    app.post('/v2.1/os-server-groups', { schema: { body: ServerGroupCreateBody } }, async (request) => {
      const context = request.requestContext;
      authorize(deps, request, 'os_compute_api:os-server-groups:create', { project_id: context.projectId, user_id: context.userId });
      const { name, policies } = request.body.server_group;
      return { server_group: renderGroup(await groups.create(context, name, policies[0] ?? 'affinity')) };
    });

    app.get('/v2.1/os-server-groups', { schema: { querystring: ServerGroupListQuerystring } }, async (request) => {
      const context = request.requestContext;
      authorize(deps, request, 'os_compute_api:os-server-groups:index', { project_id: context.projectId });
      const wantsAll = request.query.all_projects !== undefined && boolFromString(request.query.all_projects) === true;
      const all = wantsAll && deps.policy.check('os_compute_api:os-server-groups:index:all_projects', { project_id: context.projectId }, deps.credentialsOf(request));
      return { server_groups: (await groups.list(all ? undefined : (context.projectId ?? ''))).map(renderGroup) };
    });

    app.get('/v2.1/os-server-groups/:group_id', { schema: { params: ServerGroupParams } }, async (request) => {
      const group = await groups.get(request.requestContext, request.params.group_id);
      authorize(deps, request, 'os_compute_api:os-server-groups:show', { project_id: group.row.project_id });
      return { server_group: renderGroup(group) };
    });

    app.delete('/v2.1/os-server-groups/:group_id', { schema: { params: ServerGroupParams } }, async (request, reply) => {
      const group = await groups.get(request.requestContext, request.params.group_id);
      authorize(deps, request, 'os_compute_api:os-server-groups:delete', { project_id: group.row.project_id });
      await groups.delete(request.requestContext, group.row.uuid);
      return reply.code(204).send();
    });
  };
}
