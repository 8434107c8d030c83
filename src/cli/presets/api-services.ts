import { computeApi } from '../../compute/api/index.js';
import type { ConsoleAuth } from '../../compute/console/console-auth.js';
import { createComputeManagers } from '../../compute/compute-core.js';
import type { ComputeVolumeApi } from '../../compute/volumes/volume-api.js';
import { COMPUTE_POLICIES } from '../../compute/policies.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import type { RuleDefault } from '../../common/policy/policy.js';
import { identityApi } from '../../identity/api/index.js';
import { TOKEN_POLICIES } from '../../identity/auth/policies.js';
import type { IdentityCore } from '../../identity/identity-core.js';
import { IDENTITY_POLICIES } from '../../identity/policies.js';
import type { Database } from '../../common/db/database.js';
import type { ComputeWorkers } from '../../compute/workers.js';
import type { NeutronApi } from '../../compute/network/neutron-api.js';
import type { ImageService } from '../../image/images/image-service.js';
import { imageApi } from '../../image/api/index.js';
import { IMAGE_POLICIES } from '../../image/policies.js';
import { networkApi } from '../../network/api/index.js';
import { NETWORK_POLICIES } from '../../network/policies.js';
import type { CorePlugin } from '../../network/plugin/network-plugin.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import { volumeApi } from '../../volume/api/index.js';
import { VOLUME_POLICIES } from '../../volume/policies.js';
import type { VolumeCore } from '../../volume/volume-core.js';

/** The service APIs a node can host, in catalog order. */
export const API_SERVICE_NAMES = ['identity', 'image', 'compute', 'volume', 'network'] as const;
export type ApiServiceName = (typeof API_SERVICE_NAMES)[number];

/** What a node has already started that service APIs are built on. */
export interface ServiceBackends {
  readonly identity: IdentityCore;
  readonly database: Database;
  /** One image service for the image API and compute alike. */
  readonly images: ImageService;
  /** Neutron's core plugin over the network tables, for the network API. */
  readonly network: CorePlugin;
  /** Conductor, scheduler and agents, where this node serves compute. */
  readonly computeWorkers?: ComputeWorkers;
  /** The network API as compute's API checks requested networks with (absent: compute without networking). */
  readonly computeNetwork?: NeutronApi;
  /** The volume API's managers, where this node serves volume (its workers started first). */
  readonly volume?: VolumeCore;
  /** This node's host name ([DEFAULT] host): where its API steps ran, in a request timeline. */
  readonly host: string;
  /** Console tokens the compute API hands out and the node's console proxy takes, where this node serves compute. */
  readonly consoleAuth?: ConsoleAuth;
  /** The volume API as compute reaches it (Cinder over HTTP), where one is configured or served here. */
  readonly computeVolumes?: ComputeVolumeApi;
  /** `[DEFAULT] reclaim_instance_interval`: above 0, compute's delete is a soft delete. */
  readonly reclaimInstanceIntervalSeconds?: number;
}

function computeWorkersOf(backends: ServiceBackends): ComputeWorkers {
  if (backends.computeWorkers === undefined) throw new Error('the compute API needs the compute workers started first');
  return backends.computeWorkers;
}

function consoleAuthOf(backends: ServiceBackends): ConsoleAuth {
  if (backends.consoleAuth === undefined) throw new Error('the compute API needs the console tokens made first');
  return backends.consoleAuth;
}

const FACTORIES: Readonly<Record<ApiServiceName, (deps: ApiServiceDeps, backends: ServiceBackends) => ApiService>> = {
  identity: (deps, { identity }) => identityApi(deps, identity),
  image: (deps, { images }) => imageApi(deps, images),
  compute: (deps, backends) => {
    const workers = computeWorkersOf(backends);
    return computeApi(
      deps,
      createComputeManagers(backends.database, {
        images: backends.images,
        computeTaskApi: workers.computeTaskApi,
        computeAgentApi: workers.computeAgentApi,
        refreshSchedulerAggregates: () => workers.schedulerClient.refreshAggregates(),
        updateSchedulerService: (host, status) => workers.schedulerClient.serviceChanged(host, status),
        serviceRegistry: workers.registry,
        projectExists: (projectId) => backends.identity.managers.projects.exists(projectId),
        consoleAuth: consoleAuthOf(backends),
        host: backends.host,
        ...(backends.reclaimInstanceIntervalSeconds === undefined ? {} : { reclaimInstanceIntervalSeconds: backends.reclaimInstanceIntervalSeconds }),
        ...(backends.computeVolumes === undefined ? {} : { volumes: backends.computeVolumes }),
        ...(backends.computeNetwork === undefined ? {} : { network: backends.computeNetwork }),
      }),
    );
  },
  volume: (deps, backends) => {
    if (backends.volume === undefined) throw new Error('the volume API needs the volume workers started first');
    return volumeApi(deps, backends.volume, new ServiceRegistry(backends.database));
  },
  network: (deps, { network }) => networkApi(deps, network),
};

/** Every policy rule default of every service: one enforcer serves them all. */
export const POLICY_DEFAULTS: readonly RuleDefault[] = [
  ...IDENTITY_POLICIES,
  ...TOKEN_POLICIES,
  ...IMAGE_POLICIES,
  ...COMPUTE_POLICIES,
  ...NETWORK_POLICIES,
  ...VOLUME_POLICIES,
];

export function isApiServiceName(name: string): name is ApiServiceName {
  return (API_SERVICE_NAMES as readonly string[]).includes(name);
}

export function createApiServices(names: readonly ApiServiceName[], deps: ApiServiceDeps, backends: ServiceBackends): ApiService[] {
  return names.map((name) => FACTORIES[name](deps, backends));
}
