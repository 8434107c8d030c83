import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors/errors.js';
import type { ProjectDefaultType } from '../../db/default-type-store.js';
import { DEFAULT_TYPES_API } from '../microversions.js';
import { allowed, checkProject, type VolumeRouteDeps } from './route-deps.js';

/** cinder/api/schemas/default_types.py; `default_type` itself is required here (Cinder fails on its absence with a 500). */
const DefaultTypeBody = Type.Object({
  default_type: Type.Object({ volume_type: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
});
const Project = Type.Object({ project_id: Type.String() });
const TargetParams = Type.Object({ project_id: Type.String(), target_project_id: Type.String() });

const view = (entry: ProjectDefaultType) => ({ project_id: entry.projectId, volume_type_id: entry.volumeTypeId });

/**
 * 3.62's /default-types (cinder/api/v3/default_types.py): an administrator sets, shows, lists and
 * unsets a project's own default volume type, which a volume created there without a type gets.
 * The target project is not looked up in Keystone (Cinder's 404 for an unknown one is not made).
 */
export function defaultTypeRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { types } = deps;
  /** The version, the URL's project, then the rule against the target project, in Cinder's words. */
  const admit = (request: FastifyRequest & { readonly params: { readonly project_id: string } }, action: string, target: string | undefined) => {
    DEFAULT_TYPES_API.select(request.microversion);
    checkProject(request, request.params.project_id);
    if (!allowed(deps, request, action, { project_id: target ?? request.requestContext.projectId })) {
      throw new Forbidden('You are not authorized to perform this operation.');
    }
  };
  return async (app) => {
    app.put('/v3/:project_id/default-types/:target_project_id', { schema: { params: TargetParams, body: DefaultTypeBody } }, async (request) => {
      const target = request.params.target_project_id;
      admit(request, 'volume_extension:default_set_or_update', target);
      // Cinder answers an unknown type with a 400 carrying the lookup's words.
      const entry = await types.setProjectDefault(target, request.body.default_type.volume_type).catch((error: unknown) => {
        throw error instanceof NotFound ? new BadRequest(error.message) : error;
      });
      return { default_type: view(entry) };
    });

    app.get('/v3/:project_id/default-types/:target_project_id', { schema: { params: TargetParams } }, async (request) => {
      const target = request.params.target_project_id;
      admit(request, 'volume_extension:default_get', target);
      const entry = await types.projectDefault(target);
      if (entry === undefined) throw new NotFound(`Default type for project ${target} not found.`);
      return { default_type: view(entry) };
    });

    app.get('/v3/:project_id/default-types', { schema: { params: Project } }, async (request) => {
      admit(request, 'volume_extension:default_get_all', undefined);
      return { default_types: (await types.projectDefaults()).map(view) };
    });

    app.delete('/v3/:project_id/default-types/:target_project_id', { schema: { params: TargetParams } }, async (request, reply) => {
      admit(request, 'volume_extension:default_unset', request.params.target_project_id);
      await types.unsetProjectDefault(request.params.target_project_id);
      return reply.code(204).send();
    });
  };
}
