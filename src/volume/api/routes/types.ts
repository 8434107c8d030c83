import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import type { VolumeType } from '../../volumes/volume.js';
import { renderType } from './render.js';
import { allowed, authorize, checkProject, ownTarget, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, Metadata, NullableString, toBoolean } from './schemas.js';

const TypeCreateBody = Type.Object(
  {
    volume_type: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        description: Type.Optional(NullableString()),
        extra_specs: Type.Optional(Metadata),
        'os-volume-type-access:is_public': Type.Optional(CinderBoolean),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const TypeUpdateBody = Type.Object(
  {
    volume_type: Type.Object(
      { name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), description: Type.Optional(NullableString()), is_public: Type.Optional(CinderBoolean) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
/** Cinder's add_project_access / remove_project_access: a project id (Cinder's uuid format, dashes optional). */
const ProjectAccess = Type.Object({ project: Type.String({ pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$' }) }, { additionalProperties: false });
const TypeActionBody = Type.Union([
  Type.Object({ addProjectAccess: ProjectAccess }, { additionalProperties: false }),
  Type.Object({ removeProjectAccess: ProjectAccess }, { additionalProperties: false }),
]);
const ExtraSpecsBody = Type.Object({ extra_specs: Metadata }, { additionalProperties: false });
/** One extra spec, `{"<key>": "<value>"}`. */
const OneSpecBody = Type.Unsafe<Record<string, string>>({ ...Metadata, minProperties: 1, maxProperties: 1 });
const Project = Type.Object({ project_id: Type.String() });
const TypeParams = Type.Object({ project_id: Type.String(), type_id: Type.String() });
const SpecParams = Type.Object({ project_id: Type.String(), type_id: Type.String(), key: Type.String() });

/** /v3/{project_id}/types and their extra_specs. */
export function volumeTypeRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { types } = deps;
  const view = async (request: FastifyRequest, type: VolumeType, kind: 'show' | 'create' | 'update' = 'show') => {
    const qos = kind === 'show' && allowed(deps, request, 'volume_extension:access_types_qos_specs_id', ownTarget(request));
    return renderType(type, kind, {
      extraSpecs: allowed(deps, request, 'volume_extension:access_types_extra_specs', ownTarget(request)),
      ...(qos ? { qosSpecsId: await deps.qosSpecs.qosOfType(type.id) } : {}),
    });
  };
  return async (app) => {
    app.get('/v3/:project_id/types', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_get_all', ownTarget(request));
      return { volume_types: await Promise.all((await types.list(request.requestContext)).map((type) => view(request, type))) };
    });

    app.get('/v3/:project_id/types/default', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_get', ownTarget(request));
      // Cinder's get_default_volume_type(context): the caller's project's own default first.
      return { volume_type: await view(request, await types.defaultFor(request.requestContext.projectId)) };
    });

    app.get('/v3/:project_id/types/:type_id', { schema: { params: TypeParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_get', ownTarget(request));
      const type = await types.resolve(request.params.type_id);
      if (!(await types.visibleTo(request.requestContext, type))) throw new NotFound(`Volume type ${request.params.type_id} could not be found.`);
      return { volume_type: await view(request, type) };
    });

    app.post('/v3/:project_id/types', { schema: { params: Project, body: TypeCreateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_create', ownTarget(request));
      const body = request.body.volume_type;
      const name = body.name.trim();
      if (name === '') throw new BadRequest('Volume type name can not be empty.');
      const isPublic = body['os-volume-type-access:is_public'];
      const type = await types.create({
        name,
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(isPublic === undefined ? {} : { isPublic: toBoolean(isPublic) }),
        ...(body.extra_specs === undefined ? {} : { extraSpecs: body.extra_specs }),
      });
      return { volume_type: await view(request, type, 'create') };
    });

    app.put('/v3/:project_id/types/:type_id', { schema: { params: TypeParams, body: TypeUpdateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_update', ownTarget(request));
      const body = request.body.volume_type;
      if (body.name === undefined && body.description === undefined && body.is_public === undefined) {
        throw new BadRequest('Specify volume type name, description, is_public or a combination thereof.');
      }
      const before = await types.get(request.params.type_id);
      const type = await types.update(request.params.type_id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.is_public === undefined ? {} : { isPublic: toBoolean(body.is_public) }),
      });
      if (type.name !== before.name) await deps.quotas.renameType(before.name, type.name);
      return { volume_type: await view(request, type, 'update') };
    });

    app.delete('/v3/:project_id/types/:type_id', { schema: { params: TypeParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:type_delete', ownTarget(request));
      await types.delete(request.params.type_id);
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/types/:type_id/os-volume-type-access', { schema: { params: TypeParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_access:get_all_for_type', ownTarget(request));
      const typeId = request.params.type_id;
      return { volume_type_access: (await types.projectsWithAccess(typeId)).map((projectId) => ({ volume_type_id: typeId, project_id: projectId })) };
    });

    app.post('/v3/:project_id/types/:type_id/action', { schema: { params: TypeParams, body: TypeActionBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      const body = request.body;
      if ('addProjectAccess' in body) {
        authorize(deps, request, 'volume_extension:volume_type_access:addProjectAccess', ownTarget(request));
        await types.addProjectAccess(request.params.type_id, body.addProjectAccess.project);
      } else {
        authorize(deps, request, 'volume_extension:volume_type_access:removeProjectAccess', ownTarget(request));
        await types.removeProjectAccess(request.params.type_id, body.removeProjectAccess.project);
      }
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/types/:type_id/extra_specs', { schema: { params: TypeParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:types_extra_specs:index', ownTarget(request));
      return { extra_specs: (await types.get(request.params.type_id)).extraSpecs };
    });

    app.post('/v3/:project_id/types/:type_id/extra_specs', { schema: { params: TypeParams, body: ExtraSpecsBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:types_extra_specs:create', ownTarget(request));
      await types.setExtraSpecs(request.params.type_id, request.body.extra_specs);
      return { extra_specs: request.body.extra_specs };
    });

    app.get('/v3/:project_id/types/:type_id/extra_specs/:key', { schema: { params: SpecParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:types_extra_specs:show', ownTarget(request));
      const value = (await types.get(request.params.type_id)).extraSpecs[request.params.key];
      if (value === undefined) throw new NotFound(`Volume Type ${request.params.type_id} has no extra specs with key ${request.params.key}.`);
      return { [request.params.key]: value };
    });

    // Cinder's update of one spec: the body holds exactly that key (400 "Request body and URI mismatch" otherwise).
    app.put('/v3/:project_id/types/:type_id/extra_specs/:key', { schema: { params: SpecParams, body: OneSpecBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:types_extra_specs:update', ownTarget(request));
      await types.get(request.params.type_id);
      const value = request.body[request.params.key];
      if (value === undefined) throw new BadRequest('Request body and URI mismatch');
      await types.setExtraSpecs(request.params.type_id, { [request.params.key]: value });
      return { [request.params.key]: value };
    });

    app.delete('/v3/:project_id/types/:type_id/extra_specs/:key', { schema: { params: SpecParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:types_extra_specs:delete', ownTarget(request));
      await types.unsetExtraSpec(request.params.type_id, request.params.key);
      return reply.code(202).send();
    });
  };
}
