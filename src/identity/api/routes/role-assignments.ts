import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { RoleAssignment } from '../../resources/role-assignments.js';
import { collectionLinks, queryFlag, v3Url } from './links.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { OptionalString } from './schema-types.js';

export const RoleAssignmentQuery = Type.Object({
  'user.id': OptionalString,
  'group.id': OptionalString,
  'role.id': OptionalString,
  'scope.project.id': OptionalString,
  'scope.domain.id': OptionalString,
  'scope.OS-INHERIT:inherited_to': OptionalString,
  effective: OptionalString,
  include_names: OptionalString,
  include_subtree: OptionalString,
});

/** GET /v3/role_assignments with Keystone's filters, direct or `effective`. */
export function roleAssignmentRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v3/role_assignments', { schema: { querystring: RoleAssignmentQuery } }, async (request) => {
      const query = request.query;
      const includeSubtree = queryFlag(query.include_subtree) ?? false;
      if (includeSubtree && query['scope.project.id'] === undefined) {
        throw new BadRequest('scope.project.id must be specified if include_subtree is also specified');
      }
      const action = includeSubtree ? 'identity:list_role_assignments_for_tree' : 'identity:list_role_assignments';
      authorize(deps, request, action, {
        user: { id: query['user.id'] },
        group: { id: query['group.id'] },
        role: { id: query['role.id'] },
        scope: { project: { id: query['scope.project.id'] }, domain: { id: query['scope.domain.id'] } },
      });
      const inheritedTo = query['scope.OS-INHERIT:inherited_to'];
      const found = await deps.managers.roleAssignments.list({
        userId: query['user.id'],
        groupId: query['group.id'],
        roleId: query['role.id'],
        projectId: query['scope.project.id'],
        domainId: query['scope.domain.id'],
        includeSubtree,
        inherited: inheritedTo === undefined ? undefined : inheritedTo === 'projects',
        effective: queryFlag(query.effective) ?? false,
        includeNames: queryFlag(query.include_names) ?? false,
      });
      return {
        role_assignments: found.map((entry) => formatAssignment(deps.publicUrl, entry)),
        links: collectionLinks(deps.publicUrl, request),
      };
    });
  };
}

/** Keystone's RoleAssignmentsResource._format_entity, link quirks included. */
export function formatAssignment(publicUrl: string, entry: RoleAssignment): Record<string, unknown> {
  const { indirect, names } = entry;
  const links: Record<string, string> = {};
  let scope: Record<string, unknown> = {};
  let path = '';
  let inherited = entry.inheritedToProjects;
  if (entry.projectId !== undefined) {
    scope = { project: { id: entry.projectId, ...names?.project } };
    if (indirect.domainId !== undefined) {
      inherited = true;
      path = `/domains/${indirect.domainId}`;
    } else if (indirect.projectId !== undefined) {
      inherited = true;
      path = `/projects/${indirect.projectId}`;
    } else {
      path = `/projects/${entry.projectId}`;
    }
  } else if (entry.domainId !== undefined) {
    scope = { domain: { id: entry.domainId, ...names?.domain } };
    path = `/domains/${entry.domainId}`;
  }
  const body: Record<string, unknown> = {};
  if (entry.userId !== undefined) {
    body['user'] = { id: entry.userId, ...names?.user };
    if (indirect.groupId !== undefined) {
      links['membership'] = v3Url(publicUrl, `/groups/${indirect.groupId}/users/${entry.userId}`);
      path += `/groups/${indirect.groupId}`;
    } else {
      path += `/users/${entry.userId}`;
    }
  } else if (entry.groupId !== undefined) {
    body['group'] = { id: entry.groupId, ...names?.group };
    path += `/groups/${entry.groupId}`;
  }
  body['role'] = { id: entry.roleId, ...names?.role };
  path += `/roles/${indirect.roleId ?? entry.roleId}`;
  if (inherited) {
    scope['OS-INHERIT:inherited_to'] = 'projects';
    path = `/OS-INHERIT${path}/inherited_to_projects`;
  }
  links['assignment'] = v3Url(publicUrl, path);
  if (indirect.roleId !== undefined) {
    // Keystone names the implied role "prior" here; clients only follow the link.
    links['prior_role'] = v3Url(publicUrl, `/prior_role/${entry.roleId}/implies/${indirect.roleId}`);
  }
  return { ...body, scope, links };
}
