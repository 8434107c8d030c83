/**
 * Composition of the compute workers: conductor, scheduler service and one agent per host, on a
 * bus transport. `nimbus up` starts them all in its process; `nimbus compute-agent` starts agents
 * only, against a conductor and scheduler elsewhere on the bus.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Transport } from '../common/bus/index.js';
import type { Database } from '../common/db/database.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import { ComputeAgent } from './agent/compute-agent.js';
import type { ComputeAgentApi } from './agent/rpc-api.js';
import { imageAccess, type ComputeImageSource } from './agent/image-access.js';
import { ComputeAgentRpcClient } from './agent/rpc-client.js';
import type { ComputeTaskApi } from './conductor/rpc-api.js';
import { ConductorService } from './conductor/conductor-service.js';
import { createComputeStores } from './db/compute-stores.js';
import { ComputeTaskRpcClient, ConductorClient } from './conductor/rpc-client.js';
import { HeartbeatBatch } from './agent/heartbeat-batch.js';
import { lostTaskRecorder } from './conductor/lost-casts.js';
import { AcceptedBuilds } from './conductor/accepted-builds.js';
import { AcceptedActions } from './agent/accepted-actions.js';
import { DbHostSource } from './scheduler/host-source.js';
import { SchedulerClient } from './scheduler/rpc-client.js';
import { SchedulerService } from './scheduler/manager.js';
import type { SchedulerOptions } from './scheduler/select-destinations.js';
import type { ComputeVolumeApi } from './volumes/volume-api.js';
import type { ComputeDriverFactory } from './virt/driver.js';
import type { NeutronApi } from './network/neutron-api.js';
import { InstanceNetwork } from './network/instance-network.js';

export interface ComputeAgentsOptions {
  readonly transport: Transport;
  readonly images: ComputeImageSource;
  /** The volume API the agents attach through (absent: volume work fails on the host with a fault). */
  readonly volumes?: ComputeVolumeApi;
  /** Each host's driver, as the composition root chose it (`cli/presets/drivers.ts`). */
  readonly drivers: ComputeDriverFactory;
  readonly hosts: readonly string[];
  /** `[DEFAULT] state_dir`: each host gets `<state_dir>/compute/<host>`. */
  readonly stateDir: string;
  /** `[bus] rpc_response_timeout`, seconds (60). */
  readonly rpcTimeoutSeconds?: number;
  /** `[bus] long_rpc_timeout`, seconds: the API's interface attach call (absent: rpcTimeoutSeconds). */
  readonly longRpcTimeoutSeconds?: number;
  /** `[DEFAULT] report_interval`, ms (10 s). */
  readonly reportIntervalMs?: number;
  readonly resourceIntervalMs?: number;
  readonly powerSyncIntervalMs?: number;
  /** `[DEFAULT] shelved_offload_time`, seconds (0). */
  readonly shelvedOffloadTimeSeconds?: number;
  /** `[DEFAULT] shelved_poll_interval`, ms (3600 s). */
  readonly shelvedPollIntervalMs?: number;
  /** `[DEFAULT] force_config_drive` (false). */
  readonly forceConfigDrive?: boolean;
  /** `[DEFAULT] resize_confirm_window`, seconds (0: never). */
  readonly resizeConfirmWindowSeconds?: number;
  /** `[DEFAULT] reclaim_instance_interval`, seconds (0: no soft delete). */
  readonly reclaimInstanceIntervalSeconds?: number;
  /** The network API the agents make and bind ports through (absent: guests get no NICs). */
  readonly network?: NeutronApi;
  /** `[DEFAULT] vif_plugging_timeout`, seconds (300). */
  readonly vifPluggingTimeoutSeconds?: number;
  /** `[DEFAULT] vif_plugging_is_fatal` (true). */
  readonly vifPluggingIsFatal?: boolean;
}

export interface ComputeWorkersOptions extends ComputeAgentsOptions {
  readonly database: Database;
  /** Host name the conductor and scheduler register under (this machine's by default). */
  readonly controllerHost?: string;
  /** `service_down_time`, seconds (60). */
  readonly serviceDownTimeSeconds?: number;
  readonly scheduler?: SchedulerOptions;
  /** `[DEFAULT] allow_resize_to_same_host`. */
  readonly allowResizeToSameHost?: boolean;
  /** `[DEFAULT] instance_build_timeout`, seconds (0: off). */
  readonly instanceBuildTimeoutSeconds?: number;
}

export interface ComputeAgents {
  readonly agents: readonly ComputeAgent[];
  stop(): Promise<void>;
}

export interface ComputeWorkers extends ComputeAgents {
  /** For the servers API: builds go to the conductor. */
  readonly computeTaskApi: ComputeTaskApi;
  /** For the servers API: actions go to the instance's host. */
  readonly computeAgentApi: ComputeAgentApi;
  /** For os-aggregates and os-services: changes the scheduler's host states must see. */
  readonly schedulerClient: SchedulerClient;
  readonly conductor: ConductorService;
  readonly scheduler: SchedulerService;
  /** The services table, judging up and down by this node's `service_down_time` (os-services reads it too). */
  readonly registry: ServiceRegistry;
}

/** Starts conductor, scheduler and the agents, in that order (agents report to the other two at start). */
export async function startComputeWorkers(options: ComputeWorkersOptions): Promise<ComputeWorkers> {
  const { database, transport } = options;
  const stores = createComputeStores(database);
  const host = options.controllerHost ?? hostname();
  const registry = new ServiceRegistry(database, options.serviceDownTimeSeconds === undefined ? {} : { serviceDownTimeSeconds: options.serviceDownTimeSeconds });
  const intervals = options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs };
  const conductor = new ConductorService({
    stores,
    transport,
    registry,
    host,
    ...intervals,
    ...(options.rpcTimeoutSeconds === undefined ? {} : { rpcTimeoutSeconds: options.rpcTimeoutSeconds }),
    ...(options.scheduler?.maxAttempts === undefined ? {} : { maxAttempts: options.scheduler.maxAttempts }),
    ...(options.allowResizeToSameHost === undefined ? {} : { allowResizeToSameHost: options.allowResizeToSameHost }),
    ...(options.instanceBuildTimeoutSeconds === undefined ? {} : { instanceBuildTimeoutSeconds: options.instanceBuildTimeoutSeconds }),
  });
  const scheduler = new SchedulerService({
    transport,
    source: new DbHostSource(stores, registry),
    registry,
    host,
    ...intervals,
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  });
  await scheduler.start();
  await conductor.start();
  let agents: ComputeAgents;
  try {
    agents = await startComputeAgents(options);
  } catch (error) {
    await conductor.stop();
    await scheduler.stop();
    throw error;
  }
  const timeout = options.rpcTimeoutSeconds ?? 60;
  // The API's clients remember what they cast until it is taken: a killed broker loses what it had queued.
  const acceptedBuilds = new AcceptedBuilds(new ComputeTaskRpcClient(transport, timeout, lostTaskRecorder(stores.conductorTasks, host)), stores.instances);
  const acceptedActions = new AcceptedActions(new ComputeAgentRpcClient(transport, timeout, options.longRpcTimeoutSeconds), stores.instances);
  const forgetIntervalMs = options.reportIntervalMs ?? 10_000;
  const stopWatching = [acceptedBuilds.watch(transport, forgetIntervalMs), acceptedActions.watch(transport, forgetIntervalMs)];
  return {
    agents: agents.agents,
    conductor,
    scheduler,
    registry,
    computeTaskApi: acceptedBuilds,
    computeAgentApi: acceptedActions,
    schedulerClient: new SchedulerClient(transport, timeout),
    async stop() {
      await Promise.all(stopWatching.map((stop) => stop()));
      await agents.stop();
      await conductor.stop();
      await scheduler.stop();
    },
  };
}

/**
 * Starts one agent per host, one after another (beating together); what `nimbus compute-agent
 * --driver fake --hosts N` runs. In order, not several at once: each host joins the scheduler's
 * list when its first report arrives, and that order breaks ties between equal hosts (Nova's
 * stable sort over its compute nodes), so compute-1 is the first choice among equals.
 */
export async function startComputeAgents(options: ComputeAgentsOptions): Promise<ComputeAgents> {
  const images = imageAccess(options.images);
  const network = options.network === undefined ? undefined : new InstanceNetwork(options.network);
  const conductor = new ConductorClient(options.transport, options.rpcTimeoutSeconds ?? 60);
  const heartbeats = new HeartbeatBatch((args) => conductor.serviceHeartbeats(args));
  const agents: ComputeAgent[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(agents.map((agent) => agent.stop()));
  };
  try {
    for (const host of options.hosts) {
      await mkdir(join(options.stateDir, 'compute', host), { recursive: true });
      const driver = options.drivers(host);
      const agent = new ComputeAgent({
        host,
        driver,
        transport: options.transport,
        images,
        heartbeats,
        ...(options.volumes === undefined ? {} : { volumes: options.volumes }),
        ...(options.rpcTimeoutSeconds === undefined ? {} : { rpcTimeoutSeconds: options.rpcTimeoutSeconds }),
        ...(options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs }),
        ...(options.resourceIntervalMs === undefined ? {} : { resourceIntervalMs: options.resourceIntervalMs }),
        ...(options.powerSyncIntervalMs === undefined ? {} : { powerSyncIntervalMs: options.powerSyncIntervalMs }),
        ...(options.shelvedOffloadTimeSeconds === undefined ? {} : { shelvedOffloadTimeSeconds: options.shelvedOffloadTimeSeconds }),
        ...(options.shelvedPollIntervalMs === undefined ? {} : { shelvedPollIntervalMs: options.shelvedPollIntervalMs }),
        ...(options.forceConfigDrive === undefined ? {} : { forceConfigDrive: options.forceConfigDrive }),
        ...(options.resizeConfirmWindowSeconds === undefined ? {} : { resizeConfirmWindowSeconds: options.resizeConfirmWindowSeconds }),
        ...(options.reclaimInstanceIntervalSeconds === undefined ? {} : { reclaimInstanceIntervalSeconds: options.reclaimInstanceIntervalSeconds }),
        ...(network === undefined ? {} : { network }),
        ...(options.vifPluggingTimeoutSeconds === undefined ? {} : { vifPluggingTimeoutSeconds: options.vifPluggingTimeoutSeconds }),
        ...(options.vifPluggingIsFatal === undefined ? {} : { vifPluggingIsFatal: options.vifPluggingIsFatal }),
      });
      agents.push(agent);
      await agent.start();
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { agents, stop: stopAll };
}
