/**
 * One compute host's agent (Nova's nova-compute service): registers its service and node, recovers
 * what a previous run left half done, then answers `compute.<host>` and runs its periodic tasks.
 * It reaches the database only through the conductor.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import { ConductorClient } from '../conductor/rpc-client.js';
import type { ComputeNodeUpdateArgs } from '../conductor/rpc-api.js';
import { ComputeAgentRpcClient } from './rpc-client.js';
import { COMPUTE_BINARY } from './rpc-api.js';
import type { ComputeDriver } from '../virt/driver.js';
import { destroyEvacuatedInstances } from './evacuated-instances.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import type { ImageAccess } from './image-access.js';
import { initInstance } from './init-instance.js';
import { InstanceEvents } from './instance-events.js';
import type { InstanceNetwork } from '../network/instance-network.js';
import { ComputeManager } from './manager.js';
import { COMPUTE_API_VERSION, COMPUTE_TOPIC } from './rpc-api.js';
import { PeriodicTasks } from './periodic-tasks.js';
import { syncPowerStates } from './power-sync.js';
import { HostFaults } from '../faults/host-faults.js';
import { HeartbeatBatch } from './heartbeat-batch.js';
import { withFaultInjection } from '../faults/fault-injecting-driver.js';

const LOG = getLogger('nimbus.compute.manager');

export interface ComputeAgentOptions {
  readonly host: string;
  readonly driver: ComputeDriver;
  readonly transport: Transport;
  readonly images: ImageAccess;
  readonly volumes?: ComputeVolumeApi;
  /** `[bus] rpc_response_timeout`, seconds. */
  readonly rpcTimeoutSeconds?: number;
  /** `[DEFAULT] report_interval`: heartbeat period, ms (10 s). */
  readonly reportIntervalMs?: number;
  /** `update_resources_interval`: resource audit period, ms (60 s). */
  readonly resourceIntervalMs?: number;
  /** `sync_power_state_interval`: power-state sync period, ms (600 s, as Nova). */
  readonly powerSyncIntervalMs?: number;
  readonly shutdownTimeoutSeconds?: number;
  /** `[DEFAULT] shelved_offload_time`, seconds (0: offload at shelve, -1: never). */
  readonly shelvedOffloadTimeSeconds?: number;
  /** `[DEFAULT] shelved_poll_interval`: how often shelved instances are checked for offload, ms (3600 s, as Nova). */
  readonly shelvedPollIntervalMs?: number;
  /** `[DEFAULT] resize_confirm_window`: seconds before a finished resize here is confirmed (0: never). */
  readonly resizeConfirmWindowSeconds?: number;
  /** `[DEFAULT] reclaim_instance_interval`: seconds a soft-deleted instance here is kept, and how often they are looked for (0: no soft delete). */
  readonly reclaimInstanceIntervalSeconds?: number;
  /** `[DEFAULT] force_config_drive`: every guest built here gets a config drive. */
  readonly forceConfigDrive?: boolean;
  /** The network API for instances' ports; absent: guests get no NICs. */
  readonly network?: InstanceNetwork;
  /** `[DEFAULT] vif_plugging_timeout`, seconds. */
  readonly vifPluggingTimeoutSeconds?: number;
  /** `[DEFAULT] vif_plugging_is_fatal`. */
  readonly vifPluggingIsFatal?: boolean;
  /** The heartbeats of the agents of this process, sent together; absent: a batch of this agent's own. */
  readonly heartbeats?: HeartbeatBatch;
}

/** An audit finding nothing changed still reports every this many times (a node row deleted meanwhile comes back). */
const UNCHANGED_REPORT_EVERY = 10;

/** Nova runs _poll_unconfirmed_resizes every periodic tick (60 s); a shorter window is polled as often as it is long. */
const UNCONFIRMED_POLL_MAX_MS = 60_000;

export class ComputeAgent {
  readonly host: string;
  /** The host's driver as the composition root made it (tests reach the fake driver's own controls here). */
  readonly driver: ComputeDriver;
  readonly manager: ComputeManager;
  /** The failures injected into this host (/v2.1/nimbus/faults). */
  readonly faults: HostFaults;
  /** `driver` behind the injected failures: what the agent itself calls. */
  readonly #driver: ComputeDriver;
  readonly #conductor: ConductorClient;
  readonly #server: RpcServer;
  readonly #periodic = new PeriodicTasks();
  readonly #events = new InstanceEvents();
  readonly #heartbeats: HeartbeatBatch;
  /** The last resource report the conductor took, and how many audits found it unchanged since. */
  #lastReport: { readonly json: string; unchangedAudits: number } | undefined;

  constructor(private readonly options: ComputeAgentOptions) {
    this.host = options.host;
    this.driver = options.driver;
    this.#conductor = new ConductorClient(options.transport, options.rpcTimeoutSeconds ?? 60);
    this.#heartbeats = options.heartbeats ?? new HeartbeatBatch((args) => this.#conductor.serviceHeartbeats(args));
    this.faults = new HostFaults(options.host, (id) => this.#conductor.faultInjectionUsed(id));
    this.#driver = withFaultInjection(options.driver, this.faults);
    this.manager = new ComputeManager({
      host: options.host,
      driver: this.#driver,
      faults: this.faults,
      conductor: this.#conductor,
      images: options.images,
      ...(options.volumes === undefined ? {} : { volumes: options.volumes }),
      agents: new ComputeAgentRpcClient(options.transport, options.rpcTimeoutSeconds ?? 60),
      reportResources: () => this.reportResources(),
      ...(options.shutdownTimeoutSeconds === undefined ? {} : { shutdownTimeoutSeconds: options.shutdownTimeoutSeconds }),
      ...(options.shelvedOffloadTimeSeconds === undefined ? {} : { shelvedOffloadTimeSeconds: options.shelvedOffloadTimeSeconds }),
      ...(options.forceConfigDrive === undefined ? {} : { forceConfigDrive: options.forceConfigDrive }),
      ...(options.network === undefined ? {} : { network: options.network }),
      events: this.#events,
      ...(options.vifPluggingTimeoutSeconds === undefined ? {} : { vifPluggingTimeoutSeconds: options.vifPluggingTimeoutSeconds }),
      ...(options.vifPluggingIsFatal === undefined ? {} : { vifPluggingIsFatal: options.vifPluggingIsFatal }),
    });
    this.#server = new RpcServer(
      options.transport,
      { topic: COMPUTE_TOPIC, server: options.host, version: COMPUTE_API_VERSION, hold: (method) => this.faults.busPassage(method) },
      this.manager.handlers,
    );
  }

  async start(): Promise<void> {
    await this.driver.initHost();
    await runWithContext(newAdminContext(), async () => {
      await this.#conductor.waitUntilReady();
      this.faults.load(await this.#conductor.faultInjectionsOnHost(this.host));
      await this.heartbeat();
      const evacuated = await destroyEvacuatedInstances(this.host, this.#driver, this.#conductor);
      await this.reportResources();
      await this.#recover(evacuated);
    });
    await this.#server.start();
    const { reportIntervalMs = 10_000, resourceIntervalMs = 60_000, powerSyncIntervalMs = 600_000, shelvedPollIntervalMs = 3_600_000 } = this.options;
    this.#periodic.every('report_state', reportIntervalMs, () => this.heartbeat());
    this.#periodic.every('update_available_resource', resourceIntervalMs, () => this.auditResources());
    this.#periodic.every('_sync_power_states', powerSyncIntervalMs, () => this.syncPowerStates());
    this.#periodic.every('_poll_shelved_instances', shelvedPollIntervalMs, () => this.manager.pollShelvedInstances());
    const reclaim = this.options.reclaimInstanceIntervalSeconds ?? 0;
    this.#periodic.every('_reclaim_queued_deletes', reclaim * 1000, () => this.manager.reclaimQueuedDeletes(reclaim));
    const window = this.options.resizeConfirmWindowSeconds ?? 0;
    if (window > 0) {
      this.#periodic.every('_poll_unconfirmed_resizes', Math.min(window * 1000, UNCONFIRMED_POLL_MAX_MS), () =>
        this.#conductor.pollUnconfirmedResizes({ host: this.host, confirmWindowSeconds: window }),
      );
    }
    LOG.info(`Compute agent started on ${this.host} (${this.driver.type} driver)`);
  }

  /** Stops taking messages, ends waits for external events, waits for the handlers and periodic runs in progress. */
  async stop(): Promise<void> {
    this.faults.stop();
    const stopped = this.#server.stop();
    this.#events.cancelAll();
    await stopped;
    await this.#periodic.stop();
  }

  async heartbeat(): Promise<void> {
    if (this.faults.dropsHeartbeat()) return;
    await this.#heartbeats.beat({ binary: COMPUTE_BINARY, host: this.host, topic: COMPUTE_TOPIC });
  }

  /** Nova's update_available_resource: what the hypervisor has and runs, to the DB and the scheduler. */
  async reportResources(): Promise<void> {
    await this.#report(await this.#resourceReport());
  }

  /**
   * The periodic audit: reports what changed since the last report, and an unchanged report only
   * every UNCHANGED_REPORT_EVERY-th time (as Nova's resource tracker saves its compute node only
   * when it changed: 10,000 idle hosts sent 167 reports a second, each a call and two commits).
   */
  async auditResources(): Promise<void> {
    const report = await this.#resourceReport();
    if (this.#lastReport !== undefined && this.#lastReport.json === JSON.stringify(report) && this.#lastReport.unchangedAudits + 1 < UNCHANGED_REPORT_EVERY) {
      this.#lastReport.unchangedAudits += 1;
      return;
    }
    await this.#report(report);
  }

  async #resourceReport(): Promise<ComputeNodeUpdateArgs> {
    const resources = await this.#driver.getAvailableResource();
    const instanceUuids = await this.#driver.listInstances();
    return { host: this.host, resources, instanceUuids, capabilities: this.#driver.capabilities };
  }

  async #report(report: ComputeNodeUpdateArgs): Promise<void> {
    // Recorded before the call: an audit while it is on its way compares with it, rather than
    // with the one before and sending the same again (the database may already show it).
    const sent = { json: JSON.stringify(report), unchangedAudits: 0 };
    this.#lastReport = sent;
    try {
      await this.#conductor.computeNodeUpdate(report);
    } catch (error) {
      // Not reported after all: the next audit sends it.
      if (this.#lastReport === sent) this.#lastReport = undefined;
      throw error;
    }
  }

  syncPowerStates(): Promise<void> {
    return syncPowerStates(this.host, this.#driver, this.#conductor);
  }

  /** `evacuated`: instances being rebuilt elsewhere (still recorded here until they are), not this agent's to recover. */
  async #recover(evacuated: ReadonlySet<string>): Promise<void> {
    for (const instance of await this.#conductor.instancesOnHost(this.host)) {
      if (evacuated.has(instance.uuid)) continue;
      try {
        await initInstance(this.manager.handlers, this.#conductor, this.host, instance, this.#driver);
      } catch (error) {
        LOG.error('Failed to recover the instance at start', { instance: instance.uuid, error });
      }
    }
  }
}
