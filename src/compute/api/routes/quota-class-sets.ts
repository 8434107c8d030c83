import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import { INJECTED_FILE_RESOURCES, NETWORK_RESOURCES, QUOTA_RESOURCES, type QuotaResource, type QuotaSet } from '../../quotas/quota-resources.js';
import { QuotaLimit } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const SERVER_GROUP_RESOURCES: readonly QuotaResource[] = ['server_groups', 'server_group_members'];

function updateBody(filtered: readonly QuotaResource[], extra: Record<string, typeof QuotaLimit> = {}) {
  const resources = QUOTA_RESOURCES.filter((resource) => !filtered.includes(resource));
  return Type.Object(
    {
      quota_class_set: Type.Object(
        { ...Object.fromEntries(resources.map((resource) => [resource, Type.Optional(QuotaLimit)])), ...extra },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
}
/** quota_classes.update (2.1–2.49): every quota_sets resource, `networks` accepted and ignored. */
export const QuotaClassUpdateBody = updateBody([], { networks: Type.Optional(QuotaLimit) });
export const QuotaClassUpdateBodyV250 = updateBody(NETWORK_RESOURCES);
export const QuotaClassUpdateBodyV257 = updateBody([...NETWORK_RESOURCES, ...INJECTED_FILE_RESOURCES]);
export const QuotaClassParams = Type.Object({ class_name: Type.String() });

interface ClassView {
  /** Resources the version does not print. */
  readonly hidden: readonly QuotaResource[];
  readonly validate: (body: unknown) => { quota_class_set: Readonly<Record<string, number | string | undefined>> };
}

/** Before 2.50 the server group quotas are not shown (though they may be set); 2.50 drops the network ones, 2.57 the injected files. */
const VIEWS = versioned<ClassView>([
  { min: '2.1', max: '2.49', value: { hidden: SERVER_GROUP_RESOURCES, validate: bodyValidator(QuotaClassUpdateBody) } },
  { min: '2.50', max: '2.56', value: { hidden: NETWORK_RESOURCES, validate: bodyValidator(QuotaClassUpdateBodyV250) } },
  { min: '2.57', value: { hidden: [...NETWORK_RESOURCES, ...INJECTED_FILE_RESOURCES], validate: bodyValidator(QuotaClassUpdateBodyV257) } },
]);

function renderClass(request: FastifyRequest, values: QuotaSet, id?: string): Record<string, unknown> {
  const { hidden } = VIEWS.select(request.microversion);
  const shown = QUOTA_RESOURCES.filter((resource) => !hidden.includes(resource));
  return { ...(id === undefined ? {} : { id }), ...Object.fromEntries(shown.map((resource) => [resource, values[resource]])) };
}

/** /v2.1/os-quota-class-sets/{class}: show and update a quota class (admin); `default` holds every project's defaults. */
export function quotaClassSetRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v2.1/os-quota-class-sets/:class_name', { schema: { params: QuotaClassParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-quota-class-sets:show', {});
      const className = request.params.class_name;
      return { quota_class_set: renderClass(request, await quotas.classLimits(className), className) };
    });

    app.put('/v2.1/os-quota-class-sets/:class_name', { schema: { params: QuotaClassParams } }, async (request) => {
      const { quota_class_set: asked } = VIEWS.select(request.microversion).validate(request.body);
      authorize(deps, request, 'os_compute_api:os-quota-class-sets:update', {});
      const className = request.params.class_name;
      if (className.length > 255) throw new BadRequest('Invalid input received: quota_class_name has more than 255 characters.');
      const values: Partial<QuotaSet> = {};
      for (const resource of QUOTA_RESOURCES) {
        const limit = asked[resource];
        if (limit !== undefined) values[resource] = Number(limit);
      }
      return { quota_class_set: renderClass(request, await quotas.updateClass(className, values)) };
    });
  };
}
