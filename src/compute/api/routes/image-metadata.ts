/**
 * /v2.1/images/{id}/metadata[/key] (Nova's image_metadata.py), deprecated at 2.36: the image's
 * extra properties, written back to Glance with purge_props as Nova does, so what is not in the
 * new set is removed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors/errors.js';
import { BASE_ATTRIBUTES, READ_ONLY_ATTRIBUTES, isReservedProperty, type ImageRef, type PatchChange } from '../../../image/index.js';
import { checkImageMetadataQuota } from '../../quotas/image-metadata-quota.js';
import { authorizeImageAction, ImageParams, visibleImage } from './images.js';
import { proxyOnlyBefore236 } from './proxy-versions.js';
import type { ComputeRouteDeps, ProxiedImages } from './route-deps.js';
import { MetadataBody, MetaItemBody } from './server-metadata.js';

const ImageKeyParams = Type.Object({ image_id: Type.String(), key: Type.String() });

/** The JSON patch from the image's properties to `properties`; Glance's own attributes are no metadata to write. */
function propertyChanges(image: ImageRef, properties: Readonly<Record<string, string>>): PatchChange[] {
  const changes: PatchChange[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (isReservedProperty(key)) throw new Forbidden(`Attribute '${key}' is reserved.`);
    if (BASE_ATTRIBUTES.has(key) || (READ_ONLY_ATTRIBUTES as readonly string[]).includes(key)) throw new Forbidden(`Attribute '${key}' is read-only.`);
    if (image.properties[key] !== value) changes.push({ op: 'add', path: [key], value });
  }
  for (const key of Object.keys(image.properties)) {
    if (!Object.hasOwn(properties, key)) changes.push({ op: 'remove', path: [key] });
  }
  return changes;
}

export function imageMetadataRoutes(deps: ComputeRouteDeps, images: ProxiedImages): FastifyPluginAsyncTypebox {
  const visible = (request: FastifyRequest, id: string) => visibleImage(deps, images, request, id);

  /** Replaces the image's properties with `properties` (after the quota check) and returns them as stored. */
  async function write(request: FastifyRequest, image: ImageRef, properties: Readonly<Record<string, string>>): Promise<Readonly<Record<string, string>>> {
    await checkImageMetadataQuota(deps.quotas, request.requestContext, properties);
    authorizeImageAction(deps, request, 'modify_image', image, `Not authorized for image ${image.id}.`);
    const changes = propertyChanges(image, properties);
    if (changes.length === 0) return image.properties;
    return (await images.update(request.requestContext, image.id, changes)).properties;
  }

  return async (app) => {
    proxyOnlyBefore236(app);

    app.get('/v2.1/images/:image_id/metadata', { schema: { params: ImageParams } }, async (request) => ({
      metadata: (await visible(request, request.params.image_id)).properties,
    }));

    app.get('/v2.1/images/:image_id/metadata/:key', { schema: { params: ImageKeyParams } }, async (request) => {
      const { properties } = await visible(request, request.params.image_id);
      if (!Object.hasOwn(properties, request.params.key)) throw new NotFound('The resource could not be found.');
      return { meta: { [request.params.key]: properties[request.params.key] } };
    });

    app.post('/v2.1/images/:image_id/metadata', { schema: { params: ImageParams, body: MetadataBody } }, async (request) => {
      const image = await visible(request, request.params.image_id);
      return { metadata: await write(request, image, { ...image.properties, ...request.body.metadata }) };
    });

    app.put('/v2.1/images/:image_id/metadata', { schema: { params: ImageParams, body: MetadataBody } }, async (request) => {
      const image = await visible(request, request.params.image_id);
      await write(request, image, request.body.metadata);
      return { metadata: request.body.metadata };
    });

    app.put('/v2.1/images/:image_id/metadata/:key', { schema: { params: ImageKeyParams, body: MetaItemBody } }, async (request) => {
      const { meta } = request.body;
      if (!Object.hasOwn(meta, request.params.key)) throw new BadRequest('Request body and URI mismatch');
      const image = await visible(request, request.params.image_id);
      await write(request, image, { ...image.properties, ...meta });
      return { meta };
    });

    app.delete('/v2.1/images/:image_id/metadata/:key', { schema: { params: ImageKeyParams } }, async (request, reply) => {
      const image = await visible(request, request.params.image_id);
      if (!Object.hasOwn(image.properties, request.params.key)) throw new NotFound('Invalid metadata key');
      await write(request, image, Object.fromEntries(Object.entries(image.properties).filter(([key]) => key !== request.params.key)));
      return reply.code(204).send();
    });
  };
}
