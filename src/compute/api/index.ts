import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { ComputeAdmin } from '../admin/compute-admin.js';
import type { FlavorStore } from '../db/flavor-store.js';
import type { KeyPairManager } from '../keypairs/keypair-manager.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import type { ServersService } from '../servers/servers-service.js';
import type { ProjectExists } from './routes/project-check.js';
import type { ConsoleAuth } from '../console/console-auth.js';
import type { FaultInjections } from '../faults/fault-injections.js';
import type { ComputeRouteDeps, ProxiedImages } from './routes/route-deps.js';
import { computeRoutes } from './routes/index.js';
import { COMPUTE_MAX_VERSION, COMPUTE_MIN_VERSION, computeVersionRoutes } from './versions.js';

/** The compute managers the API serves. */
export interface ComputeManagers {
  readonly flavors: FlavorStore;
  readonly keypairs: KeyPairManager;
  readonly quotas: QuotaManager;
  readonly servers: ServersService;
  readonly admin: ComputeAdmin;
  readonly images: ProxiedImages;
  readonly projectExists: ProjectExists;
  readonly consoleAuth: ConsoleAuth;
  readonly requestTrace: NonNullable<ComputeRouteDeps['requestTrace']>;
  readonly faults: FaultInjections;
}

/** Nova v2.1 at /compute. */
export function computeApi(deps: ApiServiceDeps, managers: ComputeManagers): ApiService {
  const routes = computeRoutes({
    ...managers,
    policy: deps.policy,
    credentialsOf: (request) => credentialsOf(request.requestContext),
    get publicUrl() {
      return deps.publicUrl;
    },
  });
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
    routes: authenticated({ ...deps.auth, serviceTypes: ['compute'] }, computeVersionRoutes(deps), routes),
  };
}
