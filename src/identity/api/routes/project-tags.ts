import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { v3Url } from './links.js';
import { renderProject } from './render.js';
import { authorize, targetOrEmpty, type IdentityRouteDeps } from './route-deps.js';
import { IdParams, Tag, Tags } from './schema-types.js';

export const ProjectTagsBody = Type.Object({ tags: Tags });
export const ProjectTagParams = Type.Object({ id: Type.String(), tag: Tag });

/** /v3/projects/{id}/tags: a project's tags one by one or as a whole (keystone/api/projects.py). */
export function projectTagRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { projects } = deps.managers;
  const projectTarget = async (id: string) => {
    const project = await targetOrEmpty(() => projects.get(id));
    return project === undefined ? {} : { target: { project: renderProject(deps.publicUrl, project) } };
  };
  const tagsUrl = (id: string) => v3Url(deps.publicUrl, `/projects/${id}/tags`);

  return async (app) => {
    app.get('/v3/projects/:id/tags', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:list_project_tags', await projectTarget(request.params.id));
      return { links: { self: tagsUrl(request.params.id) }, tags: (await projects.get(request.params.id)).tags };
    });
    app.put('/v3/projects/:id/tags', { schema: { params: IdParams, body: ProjectTagsBody } }, async (request) => {
      authorize(deps, request, 'identity:update_project_tags', await projectTarget(request.params.id));
      return { links: { self: tagsUrl(request.params.id) }, tags: await projects.setTags(request.params.id, request.body.tags) };
    });
    app.delete('/v3/projects/:id/tags', { schema: { params: IdParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_project_tags', await projectTarget(request.params.id));
      await projects.setTags(request.params.id, []);
      return reply.code(204).send();
    });

    // Keystone answers the check of one tag with 204 (GET and HEAD alike).
    app.get('/v3/projects/:id/tags/:tag', { schema: { params: ProjectTagParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:get_project_tag', await projectTarget(request.params.id));
      await projects.checkTag(request.params.id, request.params.tag);
      return reply.code(204).send();
    });
    app.put('/v3/projects/:id/tags/:tag', { schema: { params: ProjectTagParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_project_tag', await projectTarget(request.params.id));
      await projects.addTag(request.params.id, request.params.tag);
      return reply.code(201).header('location', `${tagsUrl(request.params.id)}/${encodeURIComponent(request.params.tag)}`).send();
    });
    app.delete('/v3/projects/:id/tags/:tag', { schema: { params: ProjectTagParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_project_tag', await projectTarget(request.params.id));
      await projects.removeTag(request.params.id, request.params.tag);
      return reply.code(204).send();
    });
  };
}
