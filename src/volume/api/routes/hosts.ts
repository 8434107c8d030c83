import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import type { ServiceRecord } from '../../../common/service/service-registry.js';
import { VOLUME_TOPIC } from '../../manager/rpc-api.js';
import { cinderTime } from './render.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

const Project = Type.Object({ project_id: Type.String() });
const HostParams = Type.Object({ project_id: Type.String(), host: Type.String() });

/**
 * os-hosts (cinder/api/contrib/hosts.py, deprecated in Cinder but still served): the enabled
 * cinder services by host, and what each project holds on a volume service's host. Cinder's
 * PUT (enable/disable) is not made: its HostAPI does not implement it either.
 */
export function hostRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const zone = deps.availabilityZones[0] ?? 'nova';
  /** Cinder's _list_hosts: services not disabled, in the zone asked for (all share the one zone). */
  const enabledServices = async (wantedZone: string | undefined): Promise<ServiceRecord[]> => {
    if (wantedZone !== undefined && wantedZone !== '' && wantedZone !== zone) return [];
    return (await deps.services.list()).filter((record) => record.binary.startsWith('cinder-') && !record.disabled);
  };
  return async (app) => {
    app.get('/v3/:project_id/os-hosts', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:hosts', ownTarget(request));
      const services = await enabledServices(queryOf(request)['zone']);
      return {
        hosts: services.map((record) => ({
          host_name: record.host,
          service: record.topic,
          zone,
          'service-status': record.up ? 'available' : 'unavailable',
          'service-state': 'enabled',
          'last-update': cinderTime(record.lastSeenAt ?? record.updatedAt),
        })),
      };
    });

    app.get('/v3/:project_id/os-hosts/:host', { schema: { params: HostParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:hosts', ownTarget(request));
      const { host } = request.params;
      const services = await enabledServices(undefined);
      if (!services.some((record) => record.topic === VOLUME_TOPIC && record.host === host)) {
        throw new NotFound(`Service None could not be found on host ${host}.`);
      }
      const projects = await deps.hostUsage.usageOnHost(host);
      const resource = (project: string, usage: { volumes: number; volumeGb: number; snapshots: number; snapshotGb: number }) => ({
        resource: {
          host,
          project,
          volume_count: String(usage.volumes),
          total_volume_gb: String(usage.volumeGb),
          snapshot_count: String(usage.snapshots),
          total_snapshot_gb: String(usage.snapshotGb),
        },
      });
      const sum = (key: 'volumes' | 'volumeGb' | 'snapshots' | 'snapshotGb') => projects.reduce((total, usage) => total + usage[key], 0);
      const total = { volumes: sum('volumes'), volumeGb: sum('volumeGb'), snapshots: sum('snapshots'), snapshotGb: sum('snapshotGb') };
      return { host: [resource('(total)', total), ...projects.map((usage) => resource(usage.projectId, usage))] };
    });
  };
}
