import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { GrantActor } from '../../resources/assignments.js';
import { collectionLinks } from './links.js';
import { renderRole } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';

const ActorParams = Type.Object({ actorId: Type.String() });
const ActorRoleParams = Type.Object({ actorId: Type.String(), roleId: Type.String() });

const ACTORS = [
  { actors: 'users', member: 'user', actorOf: (id: string): GrantActor => ({ userId: id }) },
  { actors: 'groups', member: 'group', actorOf: (id: string): GrantActor => ({ groupId: id }) },
] as const;

/**
 * Keystone's role grants on the system: PUT/GET(HEAD)/DELETE
 * `/v3/system/{users|groups}/{id}/roles/{role_id}` and the list `…/roles`. A check answers 204.
 */
export function systemGrantRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { systemAssignments } = deps.managers;
  return async (app) => {
    for (const { actors, member, actorOf } of ACTORS) {
      const base = `/v3/system/${actors}/:actorId/roles`;
      const target = (params: { actorId: string; roleId?: string }) => ({
        [`${member}_id`]: params.actorId,
        ...(params.roleId === undefined ? {} : { role_id: params.roleId }),
      });

      app.get(base, { schema: { params: ActorParams } }, async (request) => {
        authorize(deps, request, `identity:list_system_grants_for_${member}`, target(request.params));
        const roles = await systemAssignments.list(actorOf(request.params.actorId));
        return { roles: roles.map((role) => renderRole(deps.publicUrl, role)), links: collectionLinks(deps.publicUrl, request) };
      });

      app.put(`${base}/:roleId`, { schema: { params: ActorRoleParams } }, async (request, reply) => {
        authorize(deps, request, `identity:create_system_grant_for_${member}`, target(request.params));
        await systemAssignments.grant(actorOf(request.params.actorId), request.params.roleId);
        return reply.code(204).send();
      });

      app.get(`${base}/:roleId`, { schema: { params: ActorRoleParams } }, async (request, reply) => {
        authorize(deps, request, `identity:check_system_grant_for_${member}`, target(request.params));
        await systemAssignments.check(actorOf(request.params.actorId), request.params.roleId);
        return reply.code(204).send();
      });

      app.delete(`${base}/:roleId`, { schema: { params: ActorRoleParams } }, async (request, reply) => {
        authorize(deps, request, `identity:revoke_system_grant_for_${member}`, target(request.params));
        await systemAssignments.revoke(actorOf(request.params.actorId), request.params.roleId);
        return reply.code(204).send();
      });
    }
  };
}
