import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Forbidden, NimbusError } from '../../../common/errors/errors.js';
import { importMethodsOf } from '../../images/image-import.js';
import { BASE_ATTRIBUTES, CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES, type Visibility } from '../../images/image.js';
import { JSON_PATCH_MEDIA_TYPES, parseJsonPatch, requestedVisibility } from '../../images/json-patch.js';
import { parseListQuery } from '../../images/list-query.js';
import { renderImage } from './render.js';
import { authorize, authorizeOnImage, imageTarget, type ImageRouteDeps } from './route-deps.js';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A nullable enum as Glance's schema writes it, so a bad value reads "'x' is not one of [...]". */
function nullableEnum(values: readonly string[]) {
  return Type.Unsafe<string | null>({ type: ['null', 'string'], enum: [null, ...values] });
}

/** Attributes Glance computes; accepted by the schema so that naming one is a 403, not a 400. */
const COMPUTED = ['status', 'checksum', 'size', 'virtual_size', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'locations', 'stores'];

/** Glance's image schema as a create body: named attributes typed, anything else a string property. */
export const ImageCreateBody = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: UUID_PATTERN })),
    name: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 255 })])),
    visibility: Type.Optional(Type.Unsafe<Visibility>({ type: 'string', enum: [...VISIBILITIES] })),
    protected: Type.Optional(Type.Boolean()),
    os_hidden: Type.Optional(Type.Boolean()),
    owner: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 255 })])),
    container_format: Type.Optional(nullableEnum(CONTAINER_FORMATS)),
    disk_format: Type.Optional(nullableEnum(DISK_FORMATS)),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 255 }))),
    min_ram: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    min_disk: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    ...Object.fromEntries(COMPUTED.map((name) => [name, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: Type.String() },
);
type ImageCreateBody = Static<typeof ImageCreateBody>;

export const ImageIdParams = Type.Object({ image_id: Type.String() });

/** The body's extra properties: every key the schema does not name. */
function extraProperties(body: ImageCreateBody): Record<string, string> {
  return Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, string] => !BASE_ATTRIBUTES.has(entry[0]) && !COMPUTED.includes(entry[0])),
  );
}

/** Setting visibility to public or community needs its own rule, as in Glance. */
function authorizeVisibility(deps: ImageRouteDeps, request: FastifyRequest, visibility: string | undefined, target: Record<string, unknown>): void {
  if (visibility === 'public') authorize(deps, request, 'publicize_image', target);
  if (visibility === 'community') authorize(deps, request, 'communitize_image', target);
}

/** The query string as given: repeated keys (`tag`) kept, order kept for the paging links. */
function queryOf(request: FastifyRequest): URLSearchParams {
  const index = request.url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
}

/** /v2/images: create, list, show, JSON-patch update, delete. */
export function imageResourceRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  return async (app) => {
    app.post('/v2/images', { schema: { body: ImageCreateBody } }, async (request, reply) => {
      const body = request.body;
      for (const name of COMPUTED) {
        if (name in body) throw new Forbidden(`Attribute '${name}' is read-only.`);
      }
      const context = request.requestContext;
      const owner = body.owner ?? context.projectId ?? null;
      const target = { project_id: owner, owner, visibility: body.visibility ?? 'shared' };
      try {
        authorize(deps, request, 'add_image', target);
      } catch (error) {
        if (owner !== context.projectId) throw new Forbidden(`You are not permitted to create images owned by '${String(owner)}'.`);
        throw error;
      }
      authorizeVisibility(deps, request, body.visibility, target);
      const image = await images.create(context, {
        ...(body.id === undefined ? {} : { id: body.id }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.visibility === undefined ? {} : { visibility: body.visibility }),
        ...(body.protected === undefined ? {} : { protected: body.protected }),
        ...(body.os_hidden === undefined ? {} : { os_hidden: body.os_hidden }),
        owner,
        ...(body.container_format === undefined ? {} : { container_format: body.container_format }),
        ...(body.disk_format === undefined ? {} : { disk_format: body.disk_format }),
        ...(body.tags === undefined ? {} : { tags: body.tags }),
        ...(body.min_ram === undefined ? {} : { min_ram: body.min_ram }),
        ...(body.min_disk === undefined ? {} : { min_disk: body.min_disk }),
        properties: extraProperties(body),
      });
      // The SDK reads the import methods from this header to decide whether `--import` can work, and the stores from the next.
      void reply.code(201).header('location', `/v2/images/${image.id}`).header('openstack-image-import-methods', importMethodsOf(images.backends).join(','));
      if (images.backends.multiple) void reply.header('openstack-image-store-ids', images.backends.list().map((backend) => backend.id).join(','));
      return reply.send(renderImage(image));
    });

    app.get('/v2/images', async (request) => {
      const context = request.requestContext;
      authorize(deps, request, 'get_images', { project_id: context.projectId });
      const params = queryOf(request);
      const page = await images.list(context, parseListQuery(params));
      const credentials = deps.credentialsOf(request);
      const shown = page.images.filter((image) => deps.policy.check('get_image', imageTarget(request, image), credentials));
      params.delete('marker');
      const query = params.toString();
      const body: Record<string, unknown> = {
        images: shown.map(renderImage),
        first: query === '' ? '/v2/images' : `/v2/images?${query}`,
        schema: '/v2/schemas/images',
      };
      if (page.nextMarker !== undefined) {
        params.set('marker', page.nextMarker);
        body['next'] = `/v2/images?${params.toString()}`;
      }
      return body;
    });

    app.get('/v2/images/:image_id', { schema: { params: ImageIdParams } }, async (request) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'get_image', image);
      return renderImage(image);
    });

    app.patch('/v2/images/:image_id', { schema: { params: ImageIdParams } }, async (request) => {
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const draft = JSON_PATCH_MEDIA_TYPES[mediaType];
      if (draft === undefined) {
        throw new NimbusError(415, `The request media type ${mediaType} is not supported by this server.`, {
          headers: { 'accept-patch': Object.keys(JSON_PATCH_MEDIA_TYPES).sort().join(', ') },
        });
      }
      const changes = parseJsonPatch(request.body, draft);
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_image', image);
      authorizeVisibility(deps, request, requestedVisibility(changes), imageTarget(request, image));
      return renderImage(await images.update(request.requestContext, image.id, changes));
    });

    app.delete('/v2/images/:image_id', { schema: { params: ImageIdParams } }, async (request, reply) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'delete_image', image);
      await images.delete(request.requestContext, image.id);
      return reply.code(204).send();
    });
  };
}
