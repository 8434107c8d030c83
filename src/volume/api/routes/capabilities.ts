import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { VOLUME_BINARY } from '../../manager/volume-manager.js';
import { authorize, checkProject, ownTarget, type VolumeRouteDeps } from './route-deps.js';
import { onHost } from './services.js';

const CapabilitiesParams = Type.Object({ project_id: Type.String(), host: Type.String() });

/** Cinder's standard capability properties (VolumeDriver._init_standard_capabilities). */
const STANDARD_PROPERTIES = {
  thin_provisioning: { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' },
  compression: { title: 'Compression', description: 'Enables compression.', type: 'boolean' },
  qos: { title: 'QoS', description: 'Enables QoS.', type: 'boolean' },
  replication_enabled: { title: 'Replication', description: 'Enables replication.', type: 'boolean' },
};

/**
 * capabilities/{host} (cinder/api/contrib/capabilities.py): what a volume service's backend can do,
 * for an administrator writing volume types. Cinder asks the volume service; the scheduler holds
 * the same report, so it is read there.
 */
export function capabilitiesRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v3/:project_id/capabilities/:host', { schema: { params: CapabilitiesParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:capabilities', ownTarget(request));
      const wanted = request.params.host;
      const [service] = (await deps.services.list({ binary: VOLUME_BINARY })).filter((record) => onHost(record.host, wanted));
      if (service === undefined) throw new NotFound(`Can't find service: ${wanted}`);
      // A disabled or frozen backend's too, as Cinder asks its volume service (get_pools leaves it out).
      const pool = await deps.scheduler.getBackendReport(service.host);
      // A service that has not reported yet: Cinder's RPC to it would time out.
      if (pool === null) throw new NotFound(`Can't find service: ${wanted}`);
      const capabilities = pool.capabilities;
      return {
        namespace: `OS::Storage::Capabilities::${service.host}`,
        vendor_name: capabilities['vendor_name'],
        volume_backend_name: capabilities['volume_backend_name'],
        pool_name: null,
        driver_version: capabilities['driver_version'],
        storage_protocol: capabilities['storage_protocol'],
        display_name: null,
        description: null,
        visibility: null,
        replication_targets: [],
        properties: STANDARD_PROPERTIES,
      };
    });
  };
}
