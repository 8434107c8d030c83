import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { Zone } from '../../admin/availability-zones.js';
import { novaTime } from './render.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** Detail's hosts: host → binary → {available, active, updated_at}. */
function hostsOf(zone: Zone): Record<string, Record<string, unknown>> {
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const service of zone.services) {
    hosts[service.host] = {
      ...(hosts[service.host] ?? {}),
      [service.binary]: { available: service.up, active: !service.disabled, updated_at: novaTime((service.updatedAt ?? service.createdAt).toISOString()) },
    };
  }
  return hosts;
}

/** /v2.1/os-availability-zone and /detail. */
export function availabilityZoneRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/os-availability-zone', async (request) => {
      authorize(deps, request, 'os_compute_api:os-availability-zone:list', {});
      const zones = await admin.availabilityZones.list(false);
      return { availabilityZoneInfo: zones.map((zone) => ({ zoneName: zone.name, zoneState: { available: zone.available }, hosts: null })) };
    });

    app.get('/v2.1/os-availability-zone/detail', async (request) => {
      authorize(deps, request, 'os_compute_api:os-availability-zone:detail', {});
      const zones = await admin.availabilityZones.list(true);
      return { availabilityZoneInfo: zones.map((zone) => ({ zoneName: zone.name, zoneState: { available: zone.available }, hosts: hostsOf(zone) })) };
    });
  };
}
