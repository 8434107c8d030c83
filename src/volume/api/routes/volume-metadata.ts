import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { metadataItems } from './metadata-items.js';
import { authorize, checkProject, loadAuthorized, type VolumeRouteDeps } from './route-deps.js';
import { Metadata } from './schemas.js';

const MetadataBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });
const MetaItemBody = Type.Object({ meta: Metadata }, { additionalProperties: false });
const VolumeParams = Type.Object({ project_id: Type.String(), volume_id: Type.String() });
const MetaKeyParams = Type.Object({ project_id: Type.String(), volume_id: Type.String(), key: Type.String() });

/** /v3/{project_id}/volumes/{id}/metadata: show, merge (POST), replace (PUT), and one key. */
export function volumeMetadataRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { volumes } = deps;
  const metadataItem = metadataItems(deps, {
    policies: { get: 'volume:get_volume_metadata', update: 'volume:update_volume_metadata', delete: 'volume:delete_volume_metadata' },
    get: (context, id) => volumes.get(context, id),
    setMetadata: (context, id, metadata, replace) => volumes.setMetadata(context, id, metadata, replace),
    deleteMetadataKey: (context, id, key) => volumes.deleteMetadataKey(context, id, key),
  });
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

    const itemPath = '/v3/:project_id/volumes/:volume_id/metadata/:key';
    app.get(itemPath, { schema: { params: MetaKeyParams } }, (request) => metadataItem.show(request, request.params.volume_id));
    app.put(itemPath, { schema: { params: MetaKeyParams, body: MetaItemBody } }, (request) => metadataItem.set(request, request.params.volume_id, request.body.meta));
    app.delete(itemPath, { schema: { params: MetaKeyParams } }, async (request, reply) => {
      await metadataItem.remove(request, request.params.volume_id);
      return reply.code(200).send();
    });
  };
}
