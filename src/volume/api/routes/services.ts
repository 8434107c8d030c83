import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { cinderTime } from './render.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

const Project = Type.Object({ project_id: Type.String() });

/** Cinder's host filter: a host names its backends too (`vm` matches `vm` and `vm@file`). */
function onHost(host: string, wanted: string | undefined): boolean {
  return wanted === undefined || host === wanted || host.startsWith(`${wanted}@`);
}

/** os-services (Cinder's services, up or down from their heartbeats) and os-availability-zone. */
export function serviceRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v3/:project_id/os-services', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:services:index', ownTarget(request));
      const query = queryOf(request);
      const records = await deps.services.list(query['binary'] === undefined ? {} : { binary: query['binary'] });
      const zone = deps.availabilityZones[0] ?? 'nova';
      return {
        services: records
          .filter((record) => record.binary.startsWith('cinder-') && onHost(record.host, query['host']))
          .map((record) => ({
            binary: record.binary,
            host: record.host,
            zone,
            status: record.disabled ? 'disabled' : 'enabled',
            state: record.up ? 'up' : 'down',
            updated_at: cinderTime(record.lastSeenAt ?? record.updatedAt),
            disabled_reason: record.disabledReason,
          })),
      };
    });

    app.get('/v3/:project_id/os-availability-zone', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      return { availabilityZoneInfo: deps.availabilityZones.map((zoneName) => ({ zoneName, zoneState: { available: true } })) };
    });
  };
}
