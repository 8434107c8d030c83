import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { bodyValidator, queryValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import { FLAVOR_SORT_KEYS, MAX_LIMIT, type FlavorListQuery } from '../../flavors/flavor.js';
import { nextLinks } from './links.js';
import { boolFromString, flavorInteger, last, MultiParam, NovaBoolean, NovaName, parseInteger } from './nova-types.js';
import { renderFlavor, renderFlavorBrief, type FlavorViewOptions } from './render.js';
import { authorize, ownTarget, viewerOf, type ComputeRouteDeps } from './route-deps.js';

const FLAVOR_QUERY = {
    limit: MultiParam(Type.Integer({ minimum: 0 })),
    marker: MultiParam(Type.String()),
    is_public: MultiParam(Type.String()),
    minRam: MultiParam(Type.String()),
    minDisk: MultiParam(Type.String()),
    sort_key: MultiParam(Type.Unsafe<(typeof FLAVOR_SORT_KEYS)[number]>({ type: 'string', enum: [...FLAVOR_SORT_KEYS] })),
    sort_dir: MultiParam(Type.Unsafe<'asc' | 'desc'>({ type: 'string', enum: ['asc', 'desc'] })),
};
const FlavorListQuerystring = Type.Object(FLAVOR_QUERY, { additionalProperties: true });
type FlavorListQuerystring = Static<typeof FlavorListQuerystring>;

/** Nova's index_query: unknown parameters are ignored until 2.74 and refused from 2.75. */
const LIST_QUERY = versioned<(query: unknown) => unknown>([
  { min: '2.1', max: '2.74', value: queryValidator(FlavorListQuerystring) },
  { min: '2.75', value: queryValidator(Type.Object(FLAVOR_QUERY, { additionalProperties: false })) },
]);

/** flavor_manage.create (2.1): the id may be a string, a number or null (generated then). */
const FLAVOR_CREATE = {
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
};
/** flavor_description: up to 65535 printable characters, or null. */
const FlavorDescription = Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 0, maxLength: 65535, pattern: '^[^\\p{C}]*$' });
const flavorBody = <T extends TProperties>(flavor: T) => Type.Object({ flavor: Type.Object(flavor, { additionalProperties: false }) }, { additionalProperties: false });
const FlavorCreateBody = flavorBody({ ...FLAVOR_CREATE, description: Type.Optional(FlavorDescription) });
type FlavorCreateBody = Static<typeof FlavorCreateBody>;

/** create takes a description from 2.55. */
const CREATE = versioned<(body: unknown) => unknown>([
  { min: '2.1', max: '2.54', value: bodyValidator(flavorBody(FLAVOR_CREATE)) },
  { min: '2.55', value: bodyValidator(FlavorCreateBody) },
]);

/** update_v2_55: PUT /flavors/{id} changes only the description; the method exists from 2.55. */
const UPDATE = versioned([
  { min: '2.55', value: bodyValidator(Type.Object({ flavor: Type.Object({ description: FlavorDescription }, { additionalProperties: false }) }, { additionalProperties: false })) },
]);

/** The view options: extra specs in the body from 2.61 for those who may list them. */
function viewOptions(deps: ComputeRouteDeps, request: FastifyRequest): FlavorViewOptions {
  const microversion = request.microversion;
  const extraSpecs = microversion.isAtLeast('2.61') && deps.policy.check('os_compute_api:os-flavor-extra-specs:index', ownTarget(request), deps.credentialsOf(request));
  return { microversion, extraSpecs };
}

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

/** /v2.1/flavors: list (brief and detail), show, and the admin's create, description update (2.55) and delete. */
export function flavorRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { flavors } = deps;
  return async (app) => {
    for (const [path, render] of [
      ['flavors', renderFlavorBrief],
      ['flavors/detail', renderFlavor],
    ] as const) {
      app.get(`/v2.1/${path}`, async (request) => {
        const raw = LIST_QUERY.select(request.microversion)(request.query) as FlavorListQuerystring;
        const query = listQuery(request, raw);
        const page = await flavors.list(viewerOf(request), query);
        const links = nextLinks(deps.publicUrl, path, raw, { count: page.length, limit: query.limit, lastId: page.at(-1)?.flavorid });
        const options = viewOptions(deps, request);
        return { flavors: page.map((flavor) => render(deps.publicUrl, flavor, options)), ...(links.length > 0 ? { flavors_links: links } : {}) };
      });
    }

    app.get('/v2.1/flavors/:flavor_id', { schema: { params: FlavorParams } }, async (request) => ({
      flavor: renderFlavor(deps.publicUrl, await flavors.get(viewerOf(request), request.params.flavor_id), viewOptions(deps, request)),
    }));

    app.post('/v2.1/flavors', async (request) => {
      const body = (CREATE.select(request.microversion)(request.body) as FlavorCreateBody).flavor;
      authorize(deps, request, 'os_compute_api:os-flavor-manage:create', ownTarget(request));
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
        ...(body.description === undefined ? {} : { description: body.description }),
      });
      return { flavor: renderFlavor(deps.publicUrl, flavor, viewOptions(deps, request)) };
    });

    app.put('/v2.1/flavors/:flavor_id', { schema: { params: FlavorParams } }, async (request) => {
      const { description } = UPDATE.select(request.microversion)(request.body).flavor;
      authorize(deps, request, 'os_compute_api:os-flavor-manage:update', ownTarget(request));
      const flavor = await flavors.updateDescription(request.params.flavor_id, description);
      return { flavor: renderFlavor(deps.publicUrl, flavor, viewOptions(deps, request)) };
    });

    app.delete('/v2.1/flavors/:flavor_id', { schema: { params: FlavorParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-flavor-manage:delete', ownTarget(request));
      await flavors.delete(request.params.flavor_id);
      return reply.code(202).send();
    });
  };
}
