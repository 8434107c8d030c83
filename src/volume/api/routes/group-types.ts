import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { GROUP_TYPE_SORT_KEYS } from '../../db/group-store.js';
import type { GroupType } from '../../volumes/group.js';
import { parseSortOf } from '../../volumes/volume-list-query.js';
import { GROUP_TYPES_API } from '../microversions.js';
import { allowed, authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, NullableString, toBoolean } from './schemas.js';

/** cinder/api/schemas/group_specs.py: keys without spaces; null values are not taken here. */
const SPEC_KEY = '^[a-zA-Z0-9-_:.]{1,255}$';
const GroupSpecs = Type.Unsafe<Record<string, string>>({ type: 'object', patternProperties: { [SPEC_KEY]: { type: 'string', maxLength: 255 } }, additionalProperties: false });
const NullableGroupSpecs = Type.Unsafe<Record<string, string> | null>({ type: ['object', 'null'], patternProperties: { [SPEC_KEY]: { type: 'string', maxLength: 255 } }, additionalProperties: false });
/** One spec, `{"<key>": "<value>"}`. */
const OneSpecBody = Type.Unsafe<Record<string, string>>({ type: 'object', patternProperties: { [SPEC_KEY]: { type: 'string', maxLength: 255 } }, additionalProperties: false, minProperties: 1, maxProperties: 1 });

/** cinder/api/schemas/group_types.py. */
const GroupTypeCreateBody = Type.Object(
  {
    group_type: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        description: Type.Optional(NullableString()),
        is_public: Type.Optional(CinderBoolean),
        group_specs: Type.Optional(NullableGroupSpecs),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const GroupTypeUpdateBody = Type.Object(
  {
    group_type: Type.Object(
      { name: Type.Optional(Type.String({ maxLength: 255 })), description: Type.Optional(NullableString()), is_public: Type.Optional(CinderBoolean) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const Project = Type.Object({ project_id: Type.String() });
const TypeParams = Type.Object({ project_id: Type.String(), group_type_id: Type.String() });
const SpecParams = Type.Object({ project_id: Type.String(), group_type_id: Type.String(), key: Type.String() });

/** Cinder's _parse_is_public for an admin's list: absent is public only, "None" both, else a strict boolean. */
function isPublicFilter(value: string | undefined): boolean | undefined {
  if (value === undefined) return true;
  if (value.toLowerCase() === 'none') return undefined;
  const lower = value.toLowerCase();
  if (['true', 't', 'yes', 'y', 'on', '1'].includes(lower)) return true;
  if (['false', 'f', 'no', 'n', 'off', '0'].includes(lower)) return false;
  throw new BadRequest(`Invalid is_public filter [${value}]`);
}

/** 3.11's /group_types (cinder/api/v3/group_types.py) and their group_specs (group_specs.py). */
export function groupTypeRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { groupTypes } = deps;
  /** The version, the URL's project, then the rule (none for reads, as Cinder). */
  const admit = (request: FastifyRequest & { readonly params: { readonly project_id: string } }, action?: string) => {
    GROUP_TYPES_API.select(request.microversion);
    checkProject(request, request.params.project_id);
    if (action !== undefined) authorize(deps, request, action, ownTarget(request));
  };
  const view = (request: FastifyRequest, type: GroupType) => ({
    id: type.id,
    name: type.name,
    description: type.description,
    is_public: type.isPublic,
    ...(allowed(deps, request, 'group:access_group_types_specs', ownTarget(request)) ? { group_specs: type.groupSpecs } : {}),
  });
  return async (app) => {
    app.get('/v3/:project_id/group_types', { schema: { params: Project } }, async (request) => {
      admit(request);
      const query = queryOf(request);
      const isPublic = request.requestContext.isAdmin === true ? isPublicFilter(query['is_public']) : true;
      const types = await groupTypes.list(isPublic, parseSortOf(query, GROUP_TYPE_SORT_KEYS));
      return { group_types: types.map((type) => view(request, type)) };
    });

    app.get('/v3/:project_id/group_types/default', { schema: { params: Project } }, async (request) => {
      admit(request);
      return { group_type: view(request, await groupTypes.defaultType()) };
    });

    app.get('/v3/:project_id/group_types/:group_type_id', { schema: { params: TypeParams } }, async (request) => {
      admit(request);
      return { group_type: view(request, await groupTypes.get(request.params.group_type_id)) };
    });

    app.post('/v3/:project_id/group_types', { schema: { params: Project, body: GroupTypeCreateBody } }, async (request, reply) => {
      admit(request, 'group:group_types:create');
      const body = request.body.group_type;
      const type = await groupTypes.create({
        name: body.name,
        description: body.description ?? null,
        isPublic: body.is_public === undefined ? true : toBoolean(body.is_public),
        groupSpecs: body.group_specs ?? {},
      });
      return reply.code(202).send({ group_type: view(request, type) });
    });

    app.put('/v3/:project_id/group_types/:group_type_id', { schema: { params: TypeParams, body: GroupTypeUpdateBody } }, async (request) => {
      admit(request, 'group:group_types:update');
      const body = request.body.group_type;
      const type = await groupTypes.update(request.params.group_type_id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.is_public === undefined ? {} : { isPublic: toBoolean(body.is_public) }),
      });
      return { group_type: view(request, type) };
    });

    app.delete('/v3/:project_id/group_types/:group_type_id', { schema: { params: TypeParams } }, async (request, reply) => {
      admit(request, 'group:group_types:delete');
      await groupTypes.delete(request.params.group_type_id);
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/group_types/:group_type_id/group_specs', { schema: { params: TypeParams } }, async (request) => {
      admit(request, 'group:group_types_specs:get_all');
      return { group_specs: (await groupTypes.get(request.params.group_type_id)).groupSpecs };
    });

    app.post('/v3/:project_id/group_types/:group_type_id/group_specs', { schema: { params: TypeParams, body: Type.Object({ group_specs: GroupSpecs }, { additionalProperties: false }) } }, async (request, reply) => {
      admit(request, 'group:group_types_specs:create');
      await groupTypes.setSpecs(request.params.group_type_id, request.body.group_specs);
      return reply.code(202).send({ group_specs: request.body.group_specs });
    });

    app.get('/v3/:project_id/group_types/:group_type_id/group_specs/:key', { schema: { params: SpecParams } }, async (request) => {
      admit(request, 'group:group_types_specs:get');
      const { group_type_id: typeId, key } = request.params;
      const value = (await groupTypes.get(typeId)).groupSpecs[key];
      if (value === undefined) throw new NotFound(`Group Type ${typeId} has no extra spec with key ${key}.`);
      return { [key]: value };
    });

    // Cinder's update of one spec: the body holds exactly that key (400 "Request body and URI mismatch" otherwise).
    app.put('/v3/:project_id/group_types/:group_type_id/group_specs/:key', { schema: { params: SpecParams, body: OneSpecBody } }, async (request) => {
      admit(request, 'group:group_types_specs:update');
      const { group_type_id: typeId, key } = request.params;
      await groupTypes.get(typeId);
      const value = request.body[key];
      if (value === undefined) throw new BadRequest('Request body and URI mismatch');
      await groupTypes.setSpecs(typeId, { [key]: value });
      return { [key]: value };
    });

    app.delete('/v3/:project_id/group_types/:group_type_id/group_specs/:key', { schema: { params: SpecParams } }, async (request, reply) => {
      admit(request, 'group:group_types_specs:delete');
      await groupTypes.unsetSpec(request.params.group_type_id, request.params.key);
      return reply.code(202).send();
    });
  };
}
