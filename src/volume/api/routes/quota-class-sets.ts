import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authorize, checkProject, ownTarget, type VolumeRouteDeps } from './route-deps.js';

/** cinder/api/validation/parameter_types.py's quota_class_set: any resource name, a limit of -1 or more. */
const QuotaClassBody = Type.Object(
  {
    quota_class_set: Type.Record(
      Type.String({ pattern: '^[a-zA-Z0-9-_:. ]{1,255}$' }),
      Type.Union([Type.Integer({ minimum: -1, maximum: 2147483647 }), Type.String({ pattern: '^[0-9]+$', maxLength: 10 })]),
    ),
  },
  { additionalProperties: false },
);
const ClassParams = Type.Object({ project_id: Type.String(), class_name: Type.String({ minLength: 1, maxLength: 255 }) });

/**
 * os-quota-class-sets (cinder/api/contrib/quota_classes.py): an administrator shows and sets a
 * quota class's limits; the `default` class's are what projects without limits of their own get.
 */
export function quotaClassRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v3/:project_id/os-quota-class-sets/:class_name', { schema: { params: ClassParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:quota_classes:get', ownTarget(request));
      const { class_name: className } = request.params;
      return { quota_class_set: { ...(await quotas.classLimits(className)), id: className } };
    });

    app.put('/v3/:project_id/os-quota-class-sets/:class_name', { schema: { params: ClassParams, body: QuotaClassBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:quota_classes:update', ownTarget(request));
      const limits = new Map(Object.entries(request.body.quota_class_set).map(([resource, value]) => [resource, Number(value)]));
      await quotas.updateClass(request.params.class_name, limits);
      return { quota_class_set: await quotas.classLimits(request.params.class_name) };
    });
  };
}
