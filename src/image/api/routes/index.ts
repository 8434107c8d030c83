import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { JSON_PATCH_MEDIA_TYPES } from '../../images/json-patch.js';
import { imageActionRoutes } from './image-actions.js';
import { imageDataRoutes } from './image-data.js';
import { imageImportRoutes } from './image-import.js';
import { imageMemberRoutes } from './image-members.js';
import { imageTagRoutes } from './image-tags.js';
import { imageStoreRoutes } from './image-stores.js';
import { imageResourceRoutes } from './images.js';
import { infoRoutes } from './info.js';
import { metadefNamespaceRoutes } from './metadef-namespaces.js';
import { metadefObjectRoutes } from './metadef-objects.js';
import { metadefPropertyRoutes } from './metadef-properties.js';
import { metadefResourceTypeRoutes } from './metadef-resource-types.js';
import { metadefTagRoutes } from './metadef-tags.js';
import type { ImageRouteDeps } from './route-deps.js';
import { schemaRoutes } from './schemas.js';

export type { ImageRouteDeps } from './route-deps.js';

/**
 * Glance's two media types besides JSON: JSON-patch documents (parsed as JSON, bad JSON a 400 in
 * Glance's words) and image data (handed through as the request stream, never buffered; the
 * store enforces the size cap while it streams).
 */
function addImageContentTypes(app: FastifyInstance): void {
  app.addContentTypeParser<string>(Object.keys(JSON_PATCH_MEDIA_TYPES), { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : (JSON.parse(body) as unknown));
    } catch {
      done(new BadRequest('Malformed JSON in request body.'));
    }
  });
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
}

/** Glance's Image API v2, registered at `/v2/…` of the image plugin (behind the auth middleware). */
export function imageRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    addImageContentTypes(app);
    const resources = [imageResourceRoutes, imageDataRoutes, imageImportRoutes, imageActionRoutes, imageTagRoutes, imageMemberRoutes, imageStoreRoutes, infoRoutes];
    const metadefs = [metadefNamespaceRoutes, metadefObjectRoutes, metadefPropertyRoutes, metadefTagRoutes, metadefResourceTypeRoutes];
    for (const routes of [...resources, ...metadefs]) {
      await app.register(routes(deps));
    }
    await app.register(schemaRoutes());
  };
}
