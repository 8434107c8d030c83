import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { imageVersionRoutes } from './versions.js';

/** Glance v2 at /image. */
export function imageApi(deps: ApiServiceDeps): ApiService {
  return { name: 'image', prefix: '/image', faultFormat: 'glance', routes: authenticated(deps.auth, imageVersionRoutes(deps)) };
}
