import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { networkVersionRoutes } from './versions.js';

/** Neutron v2.0 at /network. */
export function networkApi(deps: ApiServiceDeps): ApiService {
  return { name: 'network', prefix: '/network', faultFormat: 'neutron', routes: authenticated(deps.auth, networkVersionRoutes(deps)) };
}
