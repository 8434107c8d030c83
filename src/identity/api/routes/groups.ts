import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { GroupRef } from '../../resources/groups.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks, queryFlag } from './links.js';
import { renderGroup, renderUser } from './render.js';
import { authorize, targetOrEmpty, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams, IdString, Name255, Nullable, OptionalString } from './schema-types.js';

const GroupProperties = {
  name: Name255,
  description: Type.Optional(Nullable(Type.String())),
  domain_id: Type.Optional(IdString),
};

/** keystone/identity/schema.py group_create: unknown fields are kept as extra attributes. */
export const GroupCreateBody = Type.Object({ group: Type.Object(GroupProperties, { additionalProperties: true }) });
export const GroupUpdateBody = Type.Object({
  group: Type.Partial(Type.Object(GroupProperties), { additionalProperties: true, minProperties: 1 }),
});
export const GroupListQuery = Type.Object({ name: OptionalString, domain_id: OptionalString });
export const MembershipParams = Type.Object({ id: Type.String(), userId: Type.String() });

/** /v3/groups and their members. */
export function groupRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { groups, users } = deps.managers;
  const render = (ref: GroupRef) => renderGroup(deps.publicUrl, ref);
  const groupTarget = entityTarget('group', (id) => groups.get(id), render, 'group_id');
  const membershipTarget = async (groupId: string, userId: string) => {
    const [group, user] = await Promise.all([targetOrEmpty(() => groups.get(groupId)), targetOrEmpty(() => users.get(userId))]);
    return {
      group_id: groupId,
      user_id: userId,
      target: {
        ...(group === undefined ? {} : { group: render(group) }),
        ...(user === undefined ? {} : { user: renderUser(deps.publicUrl, user) }),
      },
    };
  };

  return async (app) => {
    app.get('/v3/groups', { schema: { querystring: GroupListQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_groups', { ...request.query });
      const refs = await groups.list(request.query);
      return { groups: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/groups', { schema: { body: GroupCreateBody } }, async (request, reply) => {
      const body = request.body.group;
      authorize(deps, request, 'identity:create_group', { group: body });
      const domainId = body.domain_id ?? deps.credentialsOf(request).domain_id;
      const ref = await groups.create({ ...body, domain_id: domainId, extra: extraOf(body, GroupProperties) });
      return reply.code(201).send({ group: render(ref) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'groups', member: 'group', updateBody: GroupUpdateBody, properties: GroupProperties, render, target: groupTarget,
      get: (id) => groups.get(id), update: (id, changes) => groups.update(id, changes), delete: (id) => groups.delete(id),
    });

    app.get(
      '/v3/groups/:id/users',
      { schema: { params: IdParams, querystring: Type.Object({ name: OptionalString, enabled: OptionalString }) } },
      async (request) => {
        authorize(deps, request, 'identity:list_users_in_group', { ...request.query, ...(await groupTarget(request.params.id)) });
        const refs = await groups.listUsers(request.params.id, { name: request.query.name, enabled: queryFlag(request.query.enabled) });
        return { users: refs.map((ref) => renderUser(deps.publicUrl, ref)), links: collectionLinks(deps.publicUrl, request) };
      },
    );

    app.put('/v3/groups/:id/users/:userId', { schema: { params: MembershipParams } }, async (request, reply) => {
      const { id, userId } = request.params;
      authorize(deps, request, 'identity:add_user_to_group', await membershipTarget(id, userId));
      await groups.addUser(id, userId);
      return reply.code(204).send();
    });

    app.get('/v3/groups/:id/users/:userId', { schema: { params: MembershipParams } }, async (request, reply) => {
      const { id, userId } = request.params;
      authorize(deps, request, 'identity:check_user_in_group', await membershipTarget(id, userId));
      await groups.checkUser(id, userId);
      return reply.code(204).send();
    });

    app.delete('/v3/groups/:id/users/:userId', { schema: { params: MembershipParams } }, async (request, reply) => {
      const { id, userId } = request.params;
      authorize(deps, request, 'identity:remove_user_from_group', await membershipTarget(id, userId));
      await groups.removeUser(id, userId);
      return reply.code(204).send();
    });
  };
}
