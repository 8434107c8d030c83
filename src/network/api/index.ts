import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { CorePlugin } from '../plugin/network-plugin.js';
import { networkV2Routes } from './routes/index.js';
import { networkVersionRoutes } from './versions.js';

/** Neutron v2.0 at /network. */
export function networkApi(deps: ApiServiceDeps, plugin: CorePlugin): ApiService {
  const routes = networkV2Routes({
    plugin,
    policy: deps.policy,
    credentialsOf: (request) => credentialsOf(request.requestContext),
    get publicUrl() {
      return deps.publicUrl;
    },
  });
  return { name: 'network', prefix: '/network', faultFormat: 'neutron', routes: authenticated({ ...deps.auth, serviceTypes: ['network'] }, networkVersionRoutes(deps), routes) };
}
