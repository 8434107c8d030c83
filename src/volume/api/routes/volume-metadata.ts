import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { authorize, checkProject, loadAuthorized, type VolumeRouteDeps } from './route-deps.js';
import { Metadata } from './schemas.js';

const MetadataBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });
const MetaItemBody = Type.Object({ meta: Metadata }, { additionalProperties: false });
const VolumeParams = Type.Object({ project_id: Type.String(), volume_id: Type.String() });
const MetaKeyParams = Type.Object({ project_id: Type.String(), volume_id: Type.String(), key: Type.String() });

/** /v3/{project_id}/volumes/{id}/metadata: show, merge (POST), replace (PUT), and one key. */
export function volumeMetadataRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { volumes } = deps;
  return async (app) => {
    app.get('/v3/:project_id/volumes/:volume_id/metadata', { schema: { params: VolumeParams } }, async (request) => {
      const volume = await loadAuthorized(deps, request, 'volume:get_volume_metadata', () => volumes.get(request.requestContext, request.params.volume_id));
      return { metadata: volume.metadata };
    });

    const setMetadata = (replace: boolean) => async (request: FastifyRequest<{ Params: { project_id: string; volume_id: string }; Body: { metadata: Record<string, string> } }>) => {
      checkProject(request, request.params.project_id);
      const volume = await volumes.get(request.requestContext, request.params.volume_id);
      authorize(deps, request, replace ? 'volume:update_volume_metadata' : 'volume:create_volume_metadata', { project_id: volume.projectId });
      return { metadata: await volumes.setMetadata(request.requestContext, volume.id, request.body.metadata, replace) };
    };
    app.post('/v3/:project_id/volumes/:volume_id/metadata', { schema: { params: VolumeParams, body: MetadataBody } }, setMetadata(false));
    app.put('/v3/:project_id/volumes/:volume_id/metadata', { schema: { params: VolumeParams, body: MetadataBody } }, setMetadata(true));

    app.get('/v3/:project_id/volumes/:volume_id/metadata/:key', { schema: { params: MetaKeyParams } }, async (request) => {
      const volume = await loadAuthorized(deps, request, 'volume:get_volume_metadata', () => volumes.get(request.requestContext, request.params.volume_id));
      const value = volume.metadata[request.params.key];
      if (value === undefined) throw new NotFound('Metadata item was not found');
      return { meta: { [request.params.key]: value } };
    });

    app.put('/v3/:project_id/volumes/:volume_id/metadata/:key', { schema: { params: MetaKeyParams, body: MetaItemBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      const { key } = request.params;
      const meta = request.body.meta;
      if (Object.keys(meta).length !== 1 || meta[key] === undefined) throw new BadRequest('Request body and URI mismatch');
      const volume = await volumes.get(request.requestContext, request.params.volume_id);
      authorize(deps, request, 'volume:update_volume_metadata', { project_id: volume.projectId });
      await volumes.setMetadata(request.requestContext, volume.id, meta, false);
      return { meta };
    });

    app.delete('/v3/:project_id/volumes/:volume_id/metadata/:key', { schema: { params: MetaKeyParams } }, async (request, reply) => {
      const volume = await loadAuthorized(deps, request, 'volume:delete_volume_metadata', () => volumes.get(request.requestContext, request.params.volume_id));
      await volumes.deleteMetadataKey(request.requestContext, volume.id, request.params.key);
      return reply.code(200).send();
    });
  };
}
