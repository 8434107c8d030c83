import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { COMPUTE_MAX_VERSION, COMPUTE_MIN_VERSION, computeVersionRoutes } from './versions.js';

/** Nova v2.1 at /compute. */
export function computeApi(deps: ApiServiceDeps): ApiService {
  return {
    name: 'compute',
    prefix: '/compute',
    faultFormat: 'nova',
    requestIdHeaders: ['x-compute-request-id'],
    microversions: {
      serviceType: 'compute',
      legacyHeader: 'X-OpenStack-Nova-API-Version',
      min: COMPUTE_MIN_VERSION,
      max: COMPUTE_MAX_VERSION,
    },
    routes: authenticated(deps.auth, computeVersionRoutes(deps)),
  };
}
