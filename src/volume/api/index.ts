import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { VolumeCore } from '../volume-core.js';
import { v3Routes } from './routes/index.js';
import { VOLUME_MAX_VERSION, VOLUME_MIN_VERSION, volumeVersionRoutes } from './versions.js';

/** Cinder v3 at /volume. */
export function volumeApi(deps: ApiServiceDeps, core: VolumeCore, services: Pick<ServiceRegistry, 'list' | 'setFlags'>): ApiService {
  const routes = v3Routes({
    ...core,
    services,
    policy: deps.policy,
    credentialsOf: (request) => credentialsOf(request.requestContext),
    get publicUrl() {
      return deps.publicUrl;
    },
  });
  return {
    name: 'volume',
    prefix: '/volume',
    faultFormat: 'cinder',
    microversions: { serviceType: 'volume', min: VOLUME_MIN_VERSION, max: VOLUME_MAX_VERSION },
    routes: authenticated({ ...deps.auth, serviceTypes: ['block-storage', 'volumev3'] }, volumeVersionRoutes(deps), routes),
  };
}
