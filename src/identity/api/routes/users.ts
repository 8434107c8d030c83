import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { UserRef } from '../../resources/users.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks, queryFlag } from './links.js';
import { renderGroup, renderProject, renderUser } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams, IdString, Name255, Nullable, OptionalString, Options } from './schema-types.js';

const UserProperties = {
  name: Name255,
  default_project_id: Type.Optional(Nullable(IdString)),
  domain_id: Type.Optional(IdString),
  enabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Nullable(Type.String())),
  options: Type.Optional(Options),
};

/** keystone/identity/schema.py user_create: description, email and other fields become extra. */
export const UserCreateBody = Type.Object({ user: Type.Object(UserProperties, { additionalProperties: true }) });
export const UserUpdateBody = Type.Object({
  user: Type.Partial(Type.Object(UserProperties), { additionalProperties: true, minProperties: 1 }),
});
/** password_change: exactly these two fields. */
export const PasswordChangeBody = Type.Object({
  user: Type.Object({ original_password: Type.String(), password: Type.String() }, { additionalProperties: false }),
});
export const UserListQuery = Type.Object({ name: OptionalString, domain_id: OptionalString, enabled: OptionalString });
export const UserProjectsQuery = Type.Object({ name: OptionalString, domain_id: OptionalString, enabled: OptionalString });

/** /v3/users, a user's password, projects and groups. */
export function userRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { users, assignments, groups } = deps.managers;
  const render = (ref: UserRef) => renderUser(deps.publicUrl, ref);
  /** Keystone's target: the path's user_id and the user itself. */
  const userTarget = entityTarget('user', (id) => users.get(id), render, 'user_id');

  return async (app) => {
    app.get('/v3/users', { schema: { querystring: UserListQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_users', { ...request.query });
      const { name, domain_id, enabled } = request.query;
      const refs = await users.list({ name, domain_id, enabled: queryFlag(enabled) });
      return { users: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/users', { schema: { body: UserCreateBody } }, async (request, reply) => {
      const body = request.body.user;
      authorize(deps, request, 'identity:create_user', { user: extraOf(body, { password: true }) });
      const domainId = body.domain_id ?? deps.credentialsOf(request).domain_id;
      const ref = await users.create({ ...body, domain_id: domainId, extra: extraOf(body, UserProperties) });
      return reply.code(201).send({ user: render(ref) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'users', member: 'user', updateBody: UserUpdateBody, properties: UserProperties, render, target: userTarget,
      get: (id) => users.get(id), update: (id, changes) => users.update(id, changes), delete: (id) => users.delete(id),
    });

    // Keystone leaves this unenforced and public: the original password is the credential.
    const passwordChange = { schema: { params: IdParams, body: PasswordChangeBody }, config: { public: true } };
    app.post('/v3/users/:id/password', passwordChange, async (request, reply) => {
      await users.changePassword(request.params.id, request.body.user.original_password, request.body.user.password);
      return reply.code(204).send();
    });

    app.get('/v3/users/:id/projects', { schema: { params: IdParams, querystring: UserProjectsQuery } }, async (request) => {
      authorize(deps, request, 'identity:list_user_projects', { ...request.query, ...(await userTarget(request.params.id)) });
      const { name, domain_id, enabled } = request.query;
      const wantEnabled = queryFlag(enabled);
      const refs = (await assignments.projectsForUser(request.params.id)).filter(
        (project) =>
          (name === undefined || project.name === name) &&
          (domain_id === undefined || project.domain_id === domain_id) &&
          (wantEnabled === undefined || project.enabled === wantEnabled),
      );
      return { projects: refs.map((ref) => renderProject(deps.publicUrl, ref)), links: collectionLinks(deps.publicUrl, request) };
    });

    app.get('/v3/users/:id/groups', { schema: { params: IdParams, querystring: Type.Object({ name: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_groups_for_user', { ...request.query, ...(await userTarget(request.params.id)) });
      const refs = await groups.listGroupsForUser(request.params.id, { name: request.query.name });
      return { groups: refs.map((ref) => renderGroup(deps.publicUrl, ref)), links: collectionLinks(deps.publicUrl, request) };
    });
  };
}
