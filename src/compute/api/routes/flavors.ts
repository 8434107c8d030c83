import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { FLAVOR_SORT_KEYS, MAX_LIMIT, type FlavorListQuery } from '../../flavors/flavor.js';
import { nextLinks } from './links.js';
import { boolFromString, flavorInteger, last, MultiParam, NovaBoolean, NovaName, parseInteger } from './nova-types.js';
import { renderFlavor, renderFlavorBrief } from './render.js';
import { authorize, ownTarget, viewerOf, type ComputeRouteDeps } from './route-deps.js';

/** Nova's index_query (2.1–2.74): unknown parameters are ignored. */
export const FlavorListQuerystring = Type.Object(
  {
    limit: MultiParam(Type.Integer({ minimum: 0 })),
    marker: MultiParam(Type.String()),
    is_public: MultiParam(Type.String()),
    minRam: MultiParam(Type.String()),
    minDisk: MultiParam(Type.String()),
    sort_key: MultiParam(Type.Unsafe<(typeof FLAVOR_SORT_KEYS)[number]>({ type: 'string', enum: [...FLAVOR_SORT_KEYS] })),
    sort_dir: MultiParam(Type.Unsafe<'asc' | 'desc'>({ type: 'string', enum: ['asc', 'desc'] })),
  },
  { additionalProperties: true },
);
type FlavorListQuerystring = Static<typeof FlavorListQuerystring>;

/** flavor_manage.create (2.1): the id may be a string, a number or null (generated then). */
export const FlavorCreateBody = Type.Object(
  {
    flavor: Type.Object(
      {
        name: NovaName,
        id: Type.Optional(
          Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'], minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' }),
        ),
        ram: flavorInteger(1),
        vcpus: flavorInteger(1),
        disk: flavorInteger(0),
        'OS-FLV-EXT-DATA:ephemeral': Type.Optional(flavorInteger(0)),
        swap: Type.Optional(flavorInteger(0)),
        rxtx_factor: Type.Optional(
          Type.Unsafe<number | string>({ type: ['number', 'string'], pattern: '^[0-9]+(\\.[0-9]+)?$', exclusiveMinimum: 0, maximum: 3.40282e38 }),
        ),
        'os-flavor-access:is_public': Type.Optional(NovaBoolean),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const FlavorParams = Type.Object({ flavor_id: Type.String() });

/** Reads the list query as Nova's FlavorsController._get_flavors: only admins choose is_public. */
function listQuery(request: FastifyRequest, query: FlavorListQuerystring): FlavorListQuery {
  const isAdmin = request.requestContext.isAdmin ?? false;
  let isPublic: boolean | null = true;
  const isPublicParam = last(query.is_public);
  if (isAdmin && isPublicParam !== undefined) {
    if (isPublicParam.toLowerCase() === 'none') {
      isPublic = null;
    } else {
      const parsed = boolFromString(isPublicParam);
      if (parsed === undefined) throw new BadRequest(`Invalid is_public filter [${isPublicParam}]`);
      isPublic = parsed;
    }
  }
  const minimum = (name: 'minRam' | 'minDisk'): number | undefined => {
    const text = last(query[name]);
    if (text === undefined) return undefined;
    const parsed = parseInteger(text);
    if (parsed === undefined) throw new BadRequest(`Invalid ${name} filter [${text}]`);
    return parsed;
  };
  const minMemoryMb = minimum('minRam');
  const minRootGb = minimum('minDisk');
  const limit = last(query.limit);
  const marker = last(query.marker);
  return {
    isPublic,
    hideDisabled: !isAdmin,
    ...(minMemoryMb === undefined ? {} : { minMemoryMb }),
    ...(minRootGb === undefined ? {} : { minRootGb }),
    sortKey: last(query.sort_key) ?? 'flavorid',
    sortDir: last(query.sort_dir) ?? 'asc',
    limit: limit === undefined || limit === 0 ? MAX_LIMIT : Math.min(limit, MAX_LIMIT),
    ...(marker === undefined ? {} : { marker }),
  };
}

/** /v2.1/flavors: list (brief and detail), show, and the admin's create and delete. */
export function flavorRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { flavors } = deps;
  return async (app) => {
    for (const [path, render] of [
      ['flavors', renderFlavorBrief],
      ['flavors/detail', renderFlavor],
    ] as const) {
      app.get(`/v2.1/${path}`, { schema: { querystring: FlavorListQuerystring } }, async (request) => {
        const query = listQuery(request, request.query);
        const page = await flavors.list(viewerOf(request), query);
        const links = nextLinks(deps.publicUrl, path, request.query, { count: page.length, limit: query.limit, lastId: page.at(-1)?.flavorid });
        return { flavors: page.map((flavor) => render(deps.publicUrl, flavor)), ...(links.length > 0 ? { flavors_links: links } : {}) };
      });
    }

    app.get('/v2.1/flavors/:flavor_id', { schema: { params: FlavorParams } }, async (request) => ({
      flavor: renderFlavor(deps.publicUrl, await flavors.get(viewerOf(request), request.params.flavor_id)),
    }));

    app.post('/v2.1/flavors', { schema: { body: FlavorCreateBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-manage:create', ownTarget(request));
      const body = request.body.flavor;
      const isPublic = body['os-flavor-access:is_public'];
      const flavor = await flavors.create({
        name: body.name,
        ...(body.id === undefined ? {} : { flavorid: body.id }),
        memory_mb: body.ram,
        vcpus: body.vcpus,
        root_gb: body.disk,
        ...(body['OS-FLV-EXT-DATA:ephemeral'] === undefined ? {} : { ephemeral_gb: body['OS-FLV-EXT-DATA:ephemeral'] }),
        ...(body.swap === undefined ? {} : { swap: body.swap }),
        ...(body.rxtx_factor === undefined ? {} : { rxtx_factor: body.rxtx_factor }),
        ...(isPublic === undefined ? {} : { is_public: boolFromString(isPublic) ?? true }),
      });
      return { flavor: renderFlavor(deps.publicUrl, flavor) };
    });

    app.delete('/v2.1/flavors/:flavor_id', { schema: { params: FlavorParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-flavor-manage:delete', ownTarget(request));
      await flavors.delete(request.params.flavor_id);
      return reply.code(202).send();
    });
  };
}
