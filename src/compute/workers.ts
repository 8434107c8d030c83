/**
 * Composition of the compute workers: conductor, scheduler service and one agent per host, on a
 * bus transport. `nimbus up` starts them all in its process; `nimbus compute-agent` starts agents
 * only, against a conductor and scheduler elsewhere on the bus.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Transport } from '../common/bus/index.js';
import { currentContext, newAdminContext, type RequestContext } from '../common/context/request-context.js';
import type { Database } from '../common/db/database.js';
import { NimbusError } from '../common/errors/errors.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import type { ImageRef } from '../image/images/image.js';
import type { PatchChange } from '../image/images/json-patch.js';
import { ComputeAgent } from './agent/compute-agent.js';
import type { ComputeAgentApi } from './agent/compute-agent-api.js';
import type { ImageAccess } from './agent/image-access.js';
import { ComputeAgentRpcClient } from './agent/rpc-client.js';
import type { ComputeTaskApi } from './conductor/compute-task-api.js';
import { ConductorService } from './conductor/conductor-service.js';
import { ComputeTaskRpcClient } from './conductor/rpc-client.js';
import { DbHostSource } from './scheduler-service/host-source.js';
import { SchedulerClient } from './scheduler-service/scheduler-client.js';
import { SchedulerService } from './scheduler-service/scheduler-service.js';
import type { SchedulerOptions } from './scheduler/select-destinations.js';
import type { ComputeDriverFactory, DriverSnapshot } from './virt/driver.js';
import type { DiskFormat, ImageMeta } from './virt/index.js';

/** What the agents need of the image service: Glance metadata, image data for real guests, and snapshot uploads and deletes, under a request context. */
export interface ComputeImageSource {
  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef>;
  update(context: RequestContext, id: string, changes: readonly PatchChange[]): Promise<ImageRef>;
  uploadImageData(context: RequestContext, id: string, data: Readable): Promise<ImageRef>;
  delete(context: RequestContext, id: string): Promise<void>;
  openImageData(context: RequestContext, id: string): Promise<Readable>;
}

export interface ComputeAgentsOptions {
  readonly transport: Transport;
  readonly images: ComputeImageSource;
  /** Each host's driver, as the composition root chose it (`cli/presets/drivers.ts`). */
  readonly drivers: ComputeDriverFactory;
  readonly hosts: readonly string[];
  /** `[DEFAULT] state_dir`: each host gets `<state_dir>/compute/<host>`. */
  readonly stateDir: string;
  /** `[bus] rpc_response_timeout`, seconds (60). */
  readonly rpcTimeoutSeconds?: number;
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
}

/** Starts conductor, scheduler and the agents, in that order (agents report to the other two at start). */
export async function startComputeWorkers(options: ComputeWorkersOptions): Promise<ComputeWorkers> {
  const { database, transport } = options;
  const host = options.controllerHost ?? hostname();
  const registry = new ServiceRegistry(database, options.serviceDownTimeSeconds === undefined ? {} : { serviceDownTimeSeconds: options.serviceDownTimeSeconds });
  const intervals = options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs };
  const conductor = new ConductorService({
    database,
    transport,
    registry,
    host,
    ...intervals,
    ...(options.rpcTimeoutSeconds === undefined ? {} : { rpcTimeoutSeconds: options.rpcTimeoutSeconds }),
    ...(options.scheduler?.maxAttempts === undefined ? {} : { maxAttempts: options.scheduler.maxAttempts }),
    ...(options.allowResizeToSameHost === undefined ? {} : { allowResizeToSameHost: options.allowResizeToSameHost }),
  });
  const scheduler = new SchedulerService({
    transport,
    source: new DbHostSource(database, registry),
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
  return {
    agents: agents.agents,
    conductor,
    scheduler,
    computeTaskApi: new ComputeTaskRpcClient(transport, timeout),
    computeAgentApi: new ComputeAgentRpcClient(transport, timeout),
    schedulerClient: new SchedulerClient(transport, timeout),
    async stop() {
      await agents.stop();
      await conductor.stop();
      await scheduler.stop();
    },
  };
}

/** Starts one agent per host; what `nimbus compute-agent --driver fake --hosts N` runs. */
export async function startComputeAgents(options: ComputeAgentsOptions): Promise<ComputeAgents> {
  const images = imageAccess(options.images);
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
        ...(options.rpcTimeoutSeconds === undefined ? {} : { rpcTimeoutSeconds: options.rpcTimeoutSeconds }),
        ...(options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs }),
        ...(options.resourceIntervalMs === undefined ? {} : { resourceIntervalMs: options.resourceIntervalMs }),
        ...(options.powerSyncIntervalMs === undefined ? {} : { powerSyncIntervalMs: options.powerSyncIntervalMs }),
        ...(options.shelvedOffloadTimeSeconds === undefined ? {} : { shelvedOffloadTimeSeconds: options.shelvedOffloadTimeSeconds }),
        ...(options.shelvedPollIntervalMs === undefined ? {} : { shelvedPollIntervalMs: options.shelvedPollIntervalMs }),
        ...(options.forceConfigDrive === undefined ? {} : { forceConfigDrive: options.forceConfigDrive }),
        ...(options.resizeConfirmWindowSeconds === undefined ? {} : { resizeConfirmWindowSeconds: options.resizeConfirmWindowSeconds }),
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

const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ami', 'ari', 'aki', 'ploop'];

/** Glance's image records in the driver's terms, read and written under the request's own context. */
export function imageAccess(images: ComputeImageSource): ImageAccess {
  const context = () => currentContext() ?? newAdminContext();
  return {
    async getImageMeta(imageRef: string): Promise<ImageMeta> {
      const image = await images.getImageForCompute(context(), imageRef);
      const diskFormat = DISK_FORMATS.find((format) => format === image.disk_format) ?? 'raw';
      return {
        id: image.id,
        name: image.name ?? '',
        diskFormat,
        containerFormat: image.container_format ?? 'bare',
        minDiskGb: image.min_disk,
        minRamMb: image.min_ram,
        properties: image.properties,
      };
    },

    async uploadSnapshot(imageId: string, snapshot: DriverSnapshot): Promise<void> {
      // As Nova's drivers do: the formats are the snapshot's, known only now.
      await images.update(context(), imageId, [
        { op: 'replace', path: ['disk_format'], value: snapshot.diskFormat },
        { op: 'replace', path: ['container_format'], value: snapshot.containerFormat },
      ]);
      await images.uploadImageData(context(), imageId, snapshot.data);
    },

    async deleteImage(imageId: string): Promise<void> {
      try {
        await images.delete(context(), imageId);
      } catch (error) {
        if (!(error instanceof NimbusError && error.status === 404)) throw error;
      }
    },
  };
}
