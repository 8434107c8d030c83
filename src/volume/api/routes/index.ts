import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchema, preValidationHookHandler, RouteOptions } from 'fastify';
import { backupRoutes } from './backups.js';
import { attachmentRoutes } from './attachments.js';
import { capabilitiesRoutes } from './capabilities.js';
import { defaultTypeRoutes } from './default-types.js';
import { extensionRoutes } from './extensions.js';
import { groupSnapshotRoutes } from './group-snapshots.js';
import { groupTypeRoutes } from './group-types.js';
import { groupRoutes } from './groups.js';
import { hostRoutes } from './hosts.js';
import { messageRoutes } from './messages.js';
import { qosSpecRoutes } from './qos-specs.js';
import { quotaClassRoutes } from './quota-class-sets.js';
import { quotaRoutes } from './quota-sets.js';
import type { VolumeRouteDeps } from './route-deps.js';
import { schedulerStatsRoutes } from './scheduler-stats.js';
import { serviceRoutes } from './services.js';
import { snapshotRoutes } from './snapshots.js';
import { transferRoutes } from './transfers.js';
import { typeEncryptionRoutes } from './type-encryption.js';
import { volumeTypeRoutes } from './types.js';
import { volumeActionRoutes } from './volume-actions.js';
import { volumeMetadataRoutes } from './volume-metadata.js';
import { volumeRoutes } from './volumes.js';

export type { VolumeRouteDeps } from './route-deps.js';

const WITH_PROJECT = '/v3/:project_id/';

/**
 * The project-less twin's first step: the URL's project is the token's, so every handler reads it
 * as before. A token without a project names none (''), which matches no one's resources and is
 * the URL check's 400 for anyone but an admin, never "every project".
 */
const projectFromToken: preValidationHookHandler = (request, _reply, done) => {
  (request.params as Record<string, string>)['project_id'] = request.requestContext.projectId ?? '';
  done();
};

/** The route's schema for its project-less URL: its params schema without `project_id`. */
function withoutProjectParam(schema: FastifySchema | undefined): FastifySchema | undefined {
  const params = schema?.params as { readonly properties?: Record<string, unknown>; readonly required?: readonly string[] } | undefined;
  if (schema === undefined || params?.properties === undefined) return schema;
  const properties = Object.fromEntries(Object.entries(params.properties).filter(([name]) => name !== 'project_id'));
  return { ...schema, params: { ...params, properties, required: (params.required ?? []).filter((name) => name !== 'project_id') } };
}

function hooksOf(hooks: RouteOptions['preValidation']): preValidationHookHandler[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? [...(hooks as preValidationHookHandler[])] : [hooks];
}

/**
 * Cinder v3's volumes, actions, metadata, snapshots, backups, types, default types, quotas, quota classes, limits,
 * services, hosts, scheduler stats, attachments, transfers, group types, groups, group snapshots, the extensions list, user messages, backend capabilities, QoS specs and volume type encryption at `/v3/{project_id}/…`, and each also at `/v3/…` (Cinder's
 * ProjectMapper maps both forms at every version; 3.67 only announces it): one route table, each
 * route given a project-less twin as it is registered.
 */
export function v3Routes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRoute', function twin(route) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // Fastify gives each GET its HEAD twin itself; the project-less GET gets its own.
      if (methods.includes('HEAD') || route.routePath === undefined || !route.routePath.startsWith(WITH_PROJECT)) return;
      this.route({
        ...route,
        url: `/v3/${route.routePath.slice(WITH_PROJECT.length)}`,
        ...(route.schema === undefined ? {} : { schema: withoutProjectParam(route.schema) }),
        preValidation: [projectFromToken, ...hooksOf(route.preValidation)],
      });
    });
    for (const routes of [volumeRoutes, volumeMetadataRoutes, volumeActionRoutes, snapshotRoutes, backupRoutes, volumeTypeRoutes, defaultTypeRoutes, quotaRoutes, quotaClassRoutes, serviceRoutes, hostRoutes, schedulerStatsRoutes, attachmentRoutes, transferRoutes, groupTypeRoutes, groupRoutes, groupSnapshotRoutes, extensionRoutes, messageRoutes, capabilitiesRoutes, qosSpecRoutes, typeEncryptionRoutes]) {
      await app.register(routes(deps));
    }
  };
}
