import type { Database } from '../common/db/database.js';
import type { ServiceRegistry } from '../common/service/service-registry.js';
import type { ImageService } from '../image/index.js';
import { createComputeAdmin } from './admin/compute-admin.js';
import { createComputeStores } from './db/compute-stores.js';
import type { ServiceChanged } from './admin/compute-services.js';
import type { ComputeAgentApi } from './agent/rpc-api.js';
import type { ComputeManagers } from './api/index.js';
import type { ProjectExists } from './api/routes/project-check.js';
import type { ComputeTaskApi } from './conductor/rpc-api.js';
import { KeyPairManager } from './keypairs/keypair-manager.js';
import { QuotaManager } from './quotas/quota-manager.js';
import { ServersService } from './servers/servers-service.js';
import { ConsoleAuth, type ConsoleAuthOptions } from './console/console-auth.js';
import { RequestTrace } from './timeline/request-trace.js';
import type { ComputeVolumeApi } from './volumes/volume-api.js';
import type { NeutronApi } from './network/neutron-api.js';
import { FaultInjections } from './faults/fault-injections.js';

/** What the compute API is built on besides its database: images, and the workers behind the bus. */
export interface ComputeApiBackends {
  readonly images: ImageService;
  readonly computeTaskApi: ComputeTaskApi;
  readonly computeAgentApi: ComputeAgentApi;
  /** Re-reads os-aggregates into the scheduler's host states. */
  readonly refreshSchedulerAggregates: () => Promise<void>;
  /** Hands an os-services change (disabled, forced down, deleted) to the scheduler's host states. */
  readonly updateSchedulerService: ServiceChanged;
  /** The services table os-services lists, with the node's service_down_time. */
  readonly serviceRegistry: ServiceRegistry;
  /** Whether identity knows a project. */
  readonly projectExists: ProjectExists;
  /** Console tokens, shared with the console proxy of the same node. */
  readonly consoleAuth: ConsoleAuth;
  /** This API node's host, as its steps in a request timeline name it. */
  readonly host: string;
  /** The volume API servers attach volumes through (absent: os-volume_attachments is 503). */
  readonly volumes?: ComputeVolumeApi;
  /** The network API (absent: compute without networking). */
  readonly network?: NeutronApi;
  /** `[DEFAULT] reclaim_instance_interval`: above 0, a delete is a soft delete. */
  readonly reclaimInstanceIntervalSeconds?: number;
}

/** The console tokens of a node (its API hands them out, its console proxy takes them). */
export function createConsoleAuth(database: Database, options: ConsoleAuthOptions): ConsoleAuth {
  return new ConsoleAuth(createComputeStores(database).consoleTokens, options);
}

/** The compute managers of a node, over its database (key pairs count against the quotas). */
export function createComputeManagers(database: Database, backends: ComputeApiBackends): ComputeManagers {
  const stores = createComputeStores(database);
  const quotas = new QuotaManager(stores.quotas, stores.usage);
  const { flavors } = stores;
  const keypairs = new KeyPairManager(stores.keypairs, (project) => quotas.keyPairLimit(project));
  const { serviceRegistry } = backends;
  const admin = createComputeAdmin(stores, serviceRegistry, quotas, backends.refreshSchedulerAggregates, backends.updateSchedulerService);
  const servers = new ServersService({
    stores,
    flavors,
    keypairs,
    quotas,
    images: backends.images,
    computeTaskApi: backends.computeTaskApi,
    computeAgentApi: backends.computeAgentApi,
    availabilityZones: () => admin.availabilityZones.availableNames(),
    serviceRegistry,
    consoleAuth: backends.consoleAuth,
    ...(backends.volumes === undefined ? {} : { volumes: backends.volumes }),
    ...(backends.network === undefined ? {} : { network: backends.network }),
    ...(backends.reclaimInstanceIntervalSeconds === undefined ? {} : { reclaimInstanceIntervalSeconds: backends.reclaimInstanceIntervalSeconds }),
  });
  const requestTrace = { trace: new RequestTrace(stores.requestSteps), steps: stores.requestSteps, host: backends.host };
  const faults = new FaultInjections(stores.faultInjections, serviceRegistry, backends.computeAgentApi);
  return { flavors, quotas, keypairs, servers, admin, images: backends.images, projectExists: backends.projectExists, consoleAuth: backends.consoleAuth, requestTrace, faults };
}
