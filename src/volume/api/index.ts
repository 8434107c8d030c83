import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { VOLUME_MAX_VERSION, VOLUME_MIN_VERSION, volumeVersionRoutes } from './versions.js';

/** Cinder v3 at /volume. */
export function volumeApi(deps: ApiServiceDeps): ApiService {
  return {
    name: 'volume',
    prefix: '/volume',
    faultFormat: 'cinder',
    microversions: { serviceType: 'volume', min: VOLUME_MIN_VERSION, max: VOLUME_MAX_VERSION },
    routes: authenticated(deps.auth, volumeVersionRoutes(deps)),
  };
}
