import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { ServersService } from '../../servers/servers-service.js';
import { MetadataValue, NovaMetadata } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams, serverTarget } from './servers.js';

export const MetadataBody = Type.Object({ metadata: NovaMetadata(MetadataValue) }, { additionalProperties: false });
export const MetaItemBody = Type.Object({ meta: NovaMetadata(MetadataValue, { minProperties: 1, maxProperties: 1 }) }, { additionalProperties: false });
export const MetaItemParams = Type.Object({ server_id: Type.String(), key: Type.String() });

/** /v2.1/servers/{id}/metadata[/key] (Nova's server_metadata.py). */
export function serverMetadataRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const guard = async (request: FastifyRequest, serverId: string, rule: string) => {
      const server = await servers.get(request.requestContext, serverId);
      authorize(deps, request, `os_compute_api:server-metadata:${rule}`, serverTarget(server));
      return server;
    };

    app.get('/v2.1/servers/:server_id/metadata', { schema: { params: ServerParams } }, async (request) => ({
      metadata: (await guard(request, request.params.server_id, 'index')).metadata,
    }));

    app.get('/v2.1/servers/:server_id/metadata/:key', { schema: { params: MetaItemParams } }, async (request) => {
      await guard(request, request.params.server_id, 'show');
      return { meta: { [request.params.key]: await servers.metadataItem(request.requestContext, request.params.server_id, request.params.key) } };
    });

    app.post('/v2.1/servers/:server_id/metadata', { schema: { params: ServerParams, body: MetadataBody } }, async (request) => {
      await guard(request, request.params.server_id, 'create');
      return { metadata: await servers.setMetadata(request.requestContext, request.params.server_id, request.body.metadata, false) };
    });

    app.put('/v2.1/servers/:server_id/metadata', { schema: { params: ServerParams, body: MetadataBody } }, async (request) => {
      await guard(request, request.params.server_id, 'update_all');
      return { metadata: await servers.setMetadata(request.requestContext, request.params.server_id, request.body.metadata, true) };
    });

    app.put('/v2.1/servers/:server_id/metadata/:key', { schema: { params: MetaItemParams, body: MetaItemBody } }, async (request) => {
      await guard(request, request.params.server_id, 'update');
      const meta = request.body.meta;
      if (!Object.hasOwn(meta, request.params.key)) throw new BadRequest('Request body and URI mismatch');
      await servers.setMetadata(request.requestContext, request.params.server_id, meta, false);
      return { meta };
    });

    app.delete('/v2.1/servers/:server_id/metadata/:key', { schema: { params: MetaItemParams } }, async (request, reply) => {
      await guard(request, request.params.server_id, 'delete');
      await servers.deleteMetadataItem(request.requestContext, request.params.server_id, request.params.key);
      return reply.code(204).send();
    });
  };
}
