import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { authorize, checkProject, loadAuthorized, type VolumeRouteDeps } from './route-deps.js';

/** A resource with metadata (a volume, a snapshot), as the per-key metadata routes reach it. */
export interface MetadataOwner {
  /** Cinder's rules for reading, updating and deleting the resource's metadata. */
  readonly policies: { readonly get: string; readonly update: string; readonly delete: string };
  get(context: RequestContext, id: string): Promise<{ readonly id: string; readonly projectId: string; readonly metadata: Readonly<Record<string, string>> }>;
  setMetadata(context: RequestContext, id: string, metadata: Readonly<Record<string, string>>, replace: boolean): Promise<unknown>;
  deleteMetadataKey(context: RequestContext, id: string, key: string): Promise<void>;
}

type KeyRequest = FastifyRequest & { readonly params: { readonly project_id: string; readonly key: string } };

/** The handlers of Cinder's `<member>/metadata/{key}`: show one key, set it (a body naming that key alone), delete it. */
export function metadataItems(deps: VolumeRouteDeps, owner: MetadataOwner) {
  return {
    async show(request: KeyRequest, id: string) {
      const found = await loadAuthorized(deps, request, owner.policies.get, () => owner.get(request.requestContext, id));
      const value = found.metadata[request.params.key];
      if (value === undefined) throw new NotFound('Metadata item was not found');
      return { meta: { [request.params.key]: value } };
    },
    async set(request: KeyRequest, id: string, meta: Readonly<Record<string, string>>) {
      checkProject(request, request.params.project_id);
      const { key } = request.params;
      if (Object.keys(meta).length !== 1 || meta[key] === undefined) throw new BadRequest('Request body and URI mismatch');
      const found = await owner.get(request.requestContext, id);
      authorize(deps, request, owner.policies.update, { project_id: found.projectId });
      await owner.setMetadata(request.requestContext, found.id, meta, false);
      return { meta };
    },
    async remove(request: KeyRequest, id: string): Promise<void> {
      const found = await loadAuthorized(deps, request, owner.policies.delete, () => owner.get(request.requestContext, id));
      await owner.deleteMetadataKey(request.requestContext, found.id, request.params.key);
    },
  };
}
