import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import { parseBoolean } from '../../volumes/volume-list-query.js';
import { DEFAULT_QUOTA_CLASS, type ResourceUsage } from '../../volumes/volume-quotas.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

/** Limits by resource; cinderclient also sends the project as `tenant_id`, which Cinder ignores. */
const QuotaUpdateBody = Type.Object(
  {
    quota_set: Type.Object(
      { tenant_id: Type.Optional(Type.String()), id: Type.Optional(Type.String()) },
      { additionalProperties: Type.Union([Type.Integer({ minimum: -1, maximum: 2147483647 }), Type.String({ pattern: '^-?[0-9]+$' })]) },
    ),
  },
  { additionalProperties: false },
);
const NON_QUOTA_KEYS = new Set(['tenant_id', 'id']);
const QuotaParams = Type.Object({ project_id: Type.String(), target: Type.String() });
const Project = Type.Object({ project_id: Type.String() });

/** Each resource as Cinder's get_project_quotas(usages=True) shows it: what extends and retypes in progress hold is `reserved`, not `in_use`. */
function usageView(limits: Readonly<Record<string, number>>, usage: Readonly<Record<string, ResourceUsage>>): Record<string, { limit: number; in_use: number; reserved: number }> {
  return Object.fromEntries(Object.entries(limits).map(([resource, limit]) => [resource, { limit, in_use: usage[resource]?.inUse ?? 0, reserved: usage[resource]?.reserved ?? 0 }]));
}

/** os-quota-sets (show with or without usage, defaults, update, reset) and /limits. */
export function quotaRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v3/:project_id/os-quota-sets/:target', { schema: { params: QuotaParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      const { target } = request.params;
      authorize(deps, request, 'volume_extension:quotas:show', { project_id: target });
      const limits = await quotas.projectLimits(target);
      const withUsage = parseBoolean(queryOf(request)['usage'], 'usage') === true;
      return { quota_set: { id: target, ...(withUsage ? usageView(limits, await quotas.projectUsage(target)) : limits) } };
    });

    app.get('/v3/:project_id/os-quota-sets/:target/defaults', { schema: { params: QuotaParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:quotas:show', { project_id: request.params.target });
      return { quota_set: { id: request.params.target, ...(await quotas.classLimits(DEFAULT_QUOTA_CLASS)) } };
    });

    app.put('/v3/:project_id/os-quota-sets/:target', { schema: { params: QuotaParams, body: QuotaUpdateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      const { target } = request.params;
      authorize(deps, request, 'volume_extension:quotas:update', { project_id: target });
      // The resources are the totals and each volume type's own (Cinder's VolumeTypeQuotaEngine).
      const [known, usage] = await Promise.all([quotas.projectLimits(target), quotas.projectUsage(target)]);
      const changes = new Map<string, number>();
      for (const [key, raw] of Object.entries(request.body.quota_set)) {
        if (NON_QUOTA_KEYS.has(key)) continue;
        if (!(key in known)) throw new BadRequest(`Bad key(s) in quota set: ${key}`);
        const value = Number(raw);
        // Cinder's _validate_existing_resource: a limit holds what is used and what is reserved.
        const used = (usage[key]?.inUse ?? 0) + (usage[key]?.reserved ?? 0);
        if (value < -1) throw new BadRequest(`Invalid input received: Quota limit ${value} for ${key} must be -1 or greater.`);
        if (value !== -1 && value < used) {
          throw new BadRequest(`Invalid input received: Quota limit ${value} for ${key} must be greater than or equal to already used and reserved ${used}.`);
        }
        changes.set(key, value);
      }
      await quotas.update(target, changes);
      return { quota_set: await quotas.projectLimits(target) };
    });

    // Cinder answers 200 with no body (Tempest's client checks there is none).
    app.delete('/v3/:project_id/os-quota-sets/:target', { schema: { params: QuotaParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:quotas:delete', { project_id: request.params.target });
      await quotas.reset(request.params.target);
      return reply.code(200).send();
    });

    app.get('/v3/:project_id/limits', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'limits_extension:used_limits', ownTarget(request));
      const project = request.params.project_id;
      const [limits, usage] = await Promise.all([quotas.limits(project), quotas.usage(project)]);
      return {
        limits: {
          rate: [],
          absolute: {
            maxTotalVolumes: limits.volumes,
            maxTotalSnapshots: limits.snapshots,
            maxTotalVolumeGigabytes: limits.gigabytes,
            maxTotalBackups: limits.backups,
            maxTotalBackupGigabytes: limits.backup_gigabytes,
            totalVolumesUsed: usage.volumes,
            totalSnapshotsUsed: usage.snapshots,
            totalGigabytesUsed: usage.gigabytes,
            totalBackupsUsed: usage.backups,
            totalBackupGigabytesUsed: usage.backup_gigabytes,
          },
        },
      };
    });
  };
}
