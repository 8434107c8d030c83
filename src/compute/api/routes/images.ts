/**
 * /v2.1/images (Nova's images.py): the image proxy, deprecated at 2.36. Nova calls Glance with
 * the caller's token, so Glance's visibility and policy are the caller's: here the image service
 * under the caller's context and the image API's own policy rules.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Forbidden, NimbusError, NotFound } from '../../../common/errors/errors.js';
import { MAX_LIMIT, imageTarget, parseListQuery, type ImageRef } from '../../../image/index.js';
import { parseProxyListQuery } from './image-list-query.js';
import { renderImage, renderImageBrief } from './image-views.js';
import { nextLinks } from './links.js';
import { proxyOnlyBefore236 } from './proxy-versions.js';
import type { ComputeRouteDeps, ProxiedImages } from './route-deps.js';

const AnyQuery = Type.Object({}, { additionalProperties: true });
export const ImageParams = Type.Object({ image_id: Type.String() });

/** Glance's policy rule `action` on a visible image, refused in Nova's words (404 when the caller may not even read it). */
export function authorizeImageAction(deps: ComputeRouteDeps, request: FastifyRequest, action: string, image: ImageRef, refused: string): void {
  const credentials = deps.credentialsOf(request);
  const target = imageTarget(request, image);
  if (!deps.policy.check('get_image', target, credentials)) throw new NotFound('Image not found.');
  if (!deps.policy.check(action, target, credentials)) throw new Forbidden(refused);
}

/** The image as the caller sees it (Glance's show); an image they may not see is Nova's 404. */
export async function visibleImage(deps: ComputeRouteDeps, images: ProxiedImages, request: FastifyRequest, id: string): Promise<ImageRef> {
  const image = await images.get(request.requestContext, id).catch((error: unknown) => {
    throw error instanceof NimbusError && error.status === 404 ? new NotFound('Image not found.') : error;
  });
  authorizeImageAction(deps, request, 'get_image', image, 'Image not found.');
  return image;
}

/** Glance's pages until the limit (every page when there is none), as glanceclient's list iterates them for Nova. */
async function listImages(deps: ComputeRouteDeps, images: ProxiedImages, request: FastifyRequest): Promise<{ found: ImageRef[]; limit: number }> {
  const { filters, limit, marker } = parseProxyListQuery(request.query as Record<string, unknown>);
  const credentials = deps.credentialsOf(request);
  const found: ImageRef[] = [];
  let next = marker;
  for (;;) {
    const params = new URLSearchParams(filters);
    params.set('limit', String(Math.min(MAX_LIMIT, (limit ?? MAX_LIMIT) - found.length)));
    if (next !== undefined) params.set('marker', next);
    const page = await images.list(request.requestContext, parseListQuery(params));
    found.push(...page.images.filter((image) => deps.policy.check('get_image', imageTarget(request, image), credentials)));
    next = page.nextMarker;
    if (next === undefined || (limit !== undefined && found.length >= limit)) return { found, limit: limit ?? MAX_LIMIT };
  }
}

/** GET /images, /images/detail (Glance's filters, limit/marker paging), GET and DELETE /images/{id}. */
export function imageRoutes(deps: ComputeRouteDeps, images: ProxiedImages): FastifyPluginAsyncTypebox {
  return async (app) => {
    proxyOnlyBefore236(app);
    for (const detail of [false, true]) {
      const path = detail ? 'images/detail' : 'images';
      app.get(`/v2.1/${path}`, { schema: { querystring: AnyQuery } }, async (request) => {
        const { found, limit } = await listImages(deps, images, request);
        const body: Record<string, unknown> = { images: found.map((image) => (detail ? renderImage : renderImageBrief)(deps.publicUrl, image)) };
        const links = nextLinks(deps.publicUrl, path, request.query, { count: found.length, limit, lastId: found.at(-1)?.id });
        if (links.length > 0) body['images_links'] = links;
        return body;
      });
    }

    app.get('/v2.1/images/:image_id', { schema: { params: ImageParams } }, async (request) => ({
      image: renderImage(deps.publicUrl, await visibleImage(deps, images, request, request.params.image_id)),
    }));

    app.delete('/v2.1/images/:image_id', { schema: { params: ImageParams } }, async (request, reply) => {
      const image = await visibleImage(deps, images, request, request.params.image_id);
      authorizeImageAction(deps, request, 'delete_image', image, 'You are not allowed to delete the image.');
      await images.delete(request.requestContext, image.id).catch((error: unknown) => {
        // Glance's 403 (a protected image) is Nova's ImageNotAuthorized.
        throw error instanceof NimbusError && error.status === 403 ? new Forbidden('You are not allowed to delete the image.') : error;
      });
      return reply.code(204).send();
    });
  };
}
