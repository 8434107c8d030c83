import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { identityVersionRoutes } from './versions.js';

/** Keystone v3 at /identity. */
export function identityApi(deps: ApiServiceDeps): ApiService {
  return { name: 'identity', prefix: '/identity', faultFormat: 'keystone', routes: identityVersionRoutes(deps) };
}
