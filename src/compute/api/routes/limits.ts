import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { last, MultiParam } from './nova-types.js';
import { authorize, projectIdOf, type ComputeRouteDeps } from './route-deps.js';

export const LimitsQuerystring = Type.Object({ tenant_id: MultiParam(Type.String()), reserved: MultiParam(Type.String()) }, { additionalProperties: true });

/** /v2.1/limits at 2.1 (views/limits.py): every absolute limit incl. the nova-network ones, no rate limits. */
export function limitRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { quotas } = deps;
  return async (app) => {
    app.get('/v2.1/limits', { schema: { querystring: LimitsQuerystring } }, async (request) => {
      authorize(deps, request, 'os_compute_api:limits', {});
      const asked = last(request.query.tenant_id);
      const projectId = asked ?? projectIdOf(request);
      if (asked !== undefined && asked !== request.requestContext.projectId) {
        authorize(deps, request, 'os_compute_api:limits:other_project', { project_id: asked });
      }
      const [limit, used] = await Promise.all([quotas.limits(projectId), quotas.usage(projectId)]);
      return {
        limits: {
          rate: [],
          absolute: {
            maxTotalRAMSize: limit.ram,
            maxTotalInstances: limit.instances,
            maxTotalCores: limit.cores,
            maxTotalKeypairs: limit.key_pairs,
            maxTotalFloatingIps: limit.floating_ips,
            maxServerMeta: limit.metadata_items,
            maxImageMeta: limit.metadata_items,
            maxPersonality: limit.injected_files,
            maxPersonalitySize: limit.injected_file_content_bytes,
            maxSecurityGroups: limit.security_groups,
            maxSecurityGroupRules: limit.security_group_rules,
            maxServerGroups: limit.server_groups,
            maxServerGroupMembers: limit.server_group_members,
            totalRAMUsed: used.ram,
            totalCoresUsed: used.cores,
            totalInstancesUsed: used.instances,
            totalFloatingIpsUsed: used.floating_ips,
            totalSecurityGroupsUsed: used.security_groups,
            totalServerGroupsUsed: used.server_groups,
          },
        },
      };
    });
  };
}
