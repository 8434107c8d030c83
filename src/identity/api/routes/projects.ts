import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks, queryFlag } from './links.js';
import { renderProject } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdString, Name64, Nullable, OptionalString, Options, Tags } from './schema-types.js';

const ProjectProperties = {
  name: Name64,
  description: Type.Optional(Nullable(Type.String())),
  domain_id: Type.Optional(Nullable(IdString)),
  enabled: Type.Optional(Type.Boolean()),
  is_domain: Type.Optional(Type.Boolean()),
  parent_id: Type.Optional(Nullable(IdString)),
  tags: Type.Optional(Tags),
  options: Type.Optional(Options),
};

/** keystone/resource/schema.py project_create: unknown fields are kept as extra attributes. */
export const ProjectCreateBody = Type.Object({
  project: Type.Object(ProjectProperties, { additionalProperties: true }),
});

export const ProjectUpdateBody = Type.Object({
  project: Type.Partial(Type.Object(ProjectProperties), { additionalProperties: true, minProperties: 1 }),
});

export const ProjectListQuery = Type.Object({
  name: OptionalString,
  domain_id: OptionalString,
  parent_id: OptionalString,
  enabled: OptionalString,
  is_domain: OptionalString,
});

/** /v3/projects: CRUD and the filters `openstack project list` uses. */
export function projectRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { projects } = deps.managers;
  const render = (ref: Parameters<typeof renderProject>[1]) => renderProject(deps.publicUrl, ref);

  return async (app) => {
    app.get('/v3/projects', { schema: { querystring: ProjectListQuery } }, async (request) => {
      const query = request.query;
      authorize(deps, request, 'identity:list_projects', { ...query });
      const refs = await projects.listViews({
        name: query.name,
        domain_id: query.domain_id,
        parent_id: query.parent_id,
        enabled: queryFlag(query.enabled),
        is_domain: queryFlag(query.is_domain) ?? false,
      });
      return { projects: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/projects', { schema: { body: ProjectCreateBody } }, async (request, reply) => {
      const body = request.body.project;
      authorize(deps, request, 'identity:create_project', { project: body });
      const extra = extraOf(body, ProjectProperties);
      const ref =
        body.is_domain === true
          ? await projects.createActingAsDomain({ ...body, extra })
          : await projects.create({ ...body, domain_id: body.domain_id ?? deps.credentialsOf(request).domain_id, extra });
      return reply.code(201).send({ project: render(ref) });
    });

    registerEntityRoutes(app, deps, {
      collection: 'projects', member: 'project', updateBody: ProjectUpdateBody, properties: ProjectProperties, render,
      target: entityTarget('project', (id) => projects.view(id), render),
      get: (id) => projects.view(id), update: (id, changes) => projects.updateView(id, changes), delete: (id) => projects.deleteView(id),
    });
  };
}
