import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NotFound } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { Server } from '../../servers/server.js';
import { MAX_TAG_COUNT } from '../../servers/server-tags.js';
import type { ServersService } from '../../servers/servers-service.js';
import { NovaTag } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const TagParams = Type.Object({ server_id: Type.String(), tag: Type.String() });

/** schemas/server_tags.py update_all. */
const parseTags = bodyValidator(Type.Object({ tags: Type.Array(NovaTag, { maxItems: MAX_TAG_COUNT }) }, { additionalProperties: false }));

/** os-server-tags exists from 2.26; below it every route is a 404, as Nova's api_version. */
const SINCE_2_26 = versioned([{ min: '2.26', value: true }]);

/** schemas/server_tags.py update: adding one tag takes no body (or a JSON null). */
const parseNoBody = bodyValidator(Type.Null());

type Rule = 'index' | 'show' | 'update' | 'update_all' | 'delete' | 'delete_all';

/** The server (its project's or, for an admin, any) once the version and the policy allow the call. */
async function taggedServer(deps: ComputeRouteDeps, servers: ServersService, request: FastifyRequest, serverId: string, rule: Rule): Promise<Server> {
  SINCE_2_26.select(request.microversion);
  const server = await servers.get(request.requestContext, serverId);
  authorize(deps, request, `os_compute_api:os-server-tags:${rule}`, { project_id: server.row.project_id });
  return server;
}

function tagLocation(deps: ComputeRouteDeps, serverId: string, tag: string): string {
  return `${deps.publicUrl}/compute/v2.1/servers/${encodeURIComponent(serverId)}/tags/${encodeURIComponent(tag)}`;
}

/** /v2.1/servers/{id}/tags[/{tag}]: Nova's server_tags controller (2.26). */
export function serverTagRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/tags', { schema: { params: ServerParams } }, async (request) => {
      const server = await taggedServer(deps, servers, request, request.params.server_id, 'index');
      return { tags: [...server.tags] };
    });

    app.put('/v2.1/servers/:server_id/tags', { schema: { params: ServerParams } }, async (request) => {
      const server = await taggedServer(deps, servers, request, request.params.server_id, 'update_all');
      return { tags: await servers.tags.replace(server, parseTags(request.body).tags) };
    });

    app.delete('/v2.1/servers/:server_id/tags', { schema: { params: ServerParams } }, async (request, reply) => {
      await servers.tags.removeAll(await taggedServer(deps, servers, request, request.params.server_id, 'delete_all'));
      return reply.code(204).send();
    });

    app.get('/v2.1/servers/:server_id/tags/:tag', { schema: { params: TagParams } }, async (request, reply) => {
      const server = await taggedServer(deps, servers, request, request.params.server_id, 'show');
      if (!server.tags.includes(request.params.tag)) throw new NotFound(`Server ${server.row.uuid} has no tag '${request.params.tag}'`);
      return reply.code(204).send();
    });

    app.put('/v2.1/servers/:server_id/tags/:tag', { schema: { params: TagParams } }, async (request, reply) => {
      if (request.body !== undefined) parseNoBody(request.body);
      const server = await taggedServer(deps, servers, request, request.params.server_id, 'update');
      const added = await servers.tags.add(server, request.params.tag);
      if (!added) return reply.code(204).send();
      return reply.code(201).header('location', tagLocation(deps, server.row.uuid, request.params.tag)).send();
    });

    app.delete('/v2.1/servers/:server_id/tags/:tag', { schema: { params: TagParams } }, async (request, reply) => {
      const server = await taggedServer(deps, servers, request, request.params.server_id, 'delete');
      await servers.tags.remove(server, request.params.tag);
      return reply.code(204).send();
    });
  };
}
