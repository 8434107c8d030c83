import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Grant, GrantActor, GrantTarget } from '../../resources/assignments.js';
import { collectionLinks } from './links.js';
import { renderDomain, renderGroup, renderProject, renderRole, renderUser } from './render.js';
import { authorize, targetOrEmpty, type IdentityRouteDeps } from './route-deps.js';

export const GrantListParams = Type.Object({ targetId: Type.String(), actorId: Type.String() });
export const GrantParams = Type.Object({ targetId: Type.String(), actorId: Type.String(), roleId: Type.String() });

/** The four grant families: {projects, domains} × {users, groups}, each also under OS-INHERIT. */
const FAMILIES = [
  { targets: 'projects', actors: 'users' },
  { targets: 'projects', actors: 'groups' },
  { targets: 'domains', actors: 'users' },
  { targets: 'domains', actors: 'groups' },
] as const;

type Family = (typeof FAMILIES)[number];

function actorOf(family: Family, id: string): GrantActor {
  return family.actors === 'users' ? { userId: id } : { groupId: id };
}

function targetOf(family: Family, id: string): GrantTarget {
  return family.targets === 'projects' ? { projectId: id } : { domainId: id };
}

/**
 * Role grants: PUT/GET(HEAD)/DELETE `/v3/{projects|domains}/{id}/{users|groups}/{id}/roles/{role}`
 * and the lists `…/roles`; the OS-INHERIT forms (`/v3/OS-INHERIT/…/inherited_to_projects`)
 * grant a role on everything below the target.
 */
export function grantRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { managers, publicUrl } = deps;

  /** Keystone's `_build_enforcement_target_attr`: the path ids and the entities that exist. */
  const policyTarget = async (family: Family, params: { targetId: string; actorId: string; roleId?: string }) => {
    const { roleId } = params;
    const role = roleId === undefined ? undefined : await targetOrEmpty(() => managers.roles.get(roleId));
    const actor =
      family.actors === 'users'
        ? await targetOrEmpty(async () => ({ user: renderUser(publicUrl, await managers.users.get(params.actorId)) }))
        : await targetOrEmpty(async () => ({ group: renderGroup(publicUrl, await managers.groups.get(params.actorId)) }));
    const scope =
      family.targets === 'projects'
        ? await targetOrEmpty(async () => ({ project: renderProject(publicUrl, await managers.projects.get(params.targetId)) }))
        : await targetOrEmpty(async () => ({ domain: renderDomain(publicUrl, await managers.domains.get(params.targetId)) }));
    return {
      [family.actors === 'users' ? 'user_id' : 'group_id']: params.actorId,
      [family.targets === 'projects' ? 'project_id' : 'domain_id']: params.targetId,
      ...(roleId === undefined ? {} : { role_id: roleId }),
      target: { ...actor, ...scope, ...(role === undefined ? {} : { role: renderRole(publicUrl, role) }) },
    };
  };

  return async (app) => {
    for (const family of FAMILIES) {
      for (const inherited of [false, true]) {
        const base = `${inherited ? '/v3/OS-INHERIT' : '/v3'}/${family.targets}/:targetId/${family.actors}/:actorId/roles`;
        const suffix = inherited ? '/inherited_to_projects' : '';
        const grantOf = (params: Static<typeof GrantParams>): Grant => ({
          actor: actorOf(family, params.actorId),
          target: targetOf(family, params.targetId),
          roleId: params.roleId,
          inherited,
        });

        app.get(`${base}${suffix}`, { schema: { params: GrantListParams } }, async (request) => {
          authorize(deps, request, 'identity:list_grants', await policyTarget(family, request.params));
          const { actorId, targetId } = request.params;
          const roles = await managers.assignments.listGrants(actorOf(family, actorId), targetOf(family, targetId), inherited);
          return { roles: roles.map((role) => renderRole(publicUrl, role)), links: collectionLinks(publicUrl, request) };
        });

        app.put(`${base}/:roleId${suffix}`, { schema: { params: GrantParams } }, async (request, reply) => {
          authorize(deps, request, 'identity:create_grant', await policyTarget(family, request.params));
          await managers.assignments.grant(grantOf(request.params));
          return reply.code(204).send();
        });

        app.get(`${base}/:roleId${suffix}`, { schema: { params: GrantParams } }, async (request, reply) => {
          authorize(deps, request, 'identity:check_grant', await policyTarget(family, request.params));
          await managers.assignments.check(grantOf(request.params));
          return reply.code(204).send();
        });

        app.delete(`${base}/:roleId${suffix}`, { schema: { params: GrantParams } }, async (request, reply) => {
          authorize(deps, request, 'identity:revoke_grant', await policyTarget(family, request.params));
          await managers.assignments.revoke(grantOf(request.params));
          return reply.code(204).send();
        });
      }
    }
  };
}
