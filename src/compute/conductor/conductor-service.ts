/**
 * The conductor worker (Nova's ConductorManager and ComputeTaskManager): the only compute worker
 * with DB access. It runs build and reschedule tasks for the API and proxies the DB writes of
 * compute agents (and their image look-ups), forwarding their resource reports to the scheduler.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry, StopHeartbeat } from '../../common/service/service-registry.js';
import { ComputeAgentRpcClient } from '../agent/rpc-client.js';
import { TracedSchedulerClient } from './traced-scheduler-client.js';
import { RequestTrace } from '../timeline/request-trace.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import { InstanceActionLog } from '../actions/instance-actions.js';
import type { ComputeStores } from '../db/compute-stores.js';
import type { MigrationFilter, MigrationRow } from '../moves/migration.js';
import { BuildInstancesTask } from './tasks/build-instances.js';
import { EvacuateInstanceTask } from './tasks/evacuate-instance.js';
import { LiveMigrateInstanceTask } from './tasks/live-migrate-instance.js';
import { releaseClaim } from './tasks/build-steps.js';
import { RescheduleInstanceTask } from './tasks/reschedule-instance.js';
import { MigrateServerTask } from './tasks/migrate-server.js';
import { confirmMoveResources, moveInProgress, releaseMoveResources, settleDeletedMoves } from './move-resources.js';
import { pollUnconfirmedResizes } from './unconfirmed-resizes.js';
import { faultOfRow } from '../db/fault-injection-store.js';
import type { FaultInjection } from '../faults/fault-injection.js';
import { runTask, type TaskDeps } from './tasks/task.js';
import { UnshelveInstanceTask } from './tasks/unshelve-instance.js';
import { CONDUCTOR_BINARY, ConductorTask, TaskOwner } from './task-owner.js';
import { recoverOrphanedTasks, type OrphanedTaskDeps } from './orphaned-tasks.js';
import { PlacedBuilds } from './placed-builds.js';
import { PeriodicTasks } from '../agent/periodic-tasks.js';
import { BUILD_TIMEOUT_POLL_MAX_MS, failTimedOutBuilds } from './build-timeout.js';
import type {
  ActionEventArgs,
  ActionEventFinishArgs,
  AgentInstance,
  AgentBlockDevice,
  BlockDeviceDestroyArgs,
  BlockDeviceSaveArgs,
  BlockDeviceUpdateArgs,
  BuildInstancesArgs,
  ComputeNodeUpdateArgs,
  EvacuateServerArgs,
  FaultArgs,
  InfoCacheUpdateArgs,
  InstanceUpdateArgs,
  LiveMigrateInstanceArgs,
  MigrateServerArgs,
  MigrationUpdateArgs,
  MoveResourcesArgs,
  PollUnconfirmedResizesArgs,
  RescheduleArgs,
  ServiceHeartbeatArgs,
  ServiceHeartbeatsArgs,
  UnshelveServerArgs,
} from './rpc-api.js';
import { withHostZone } from './host-zone.js';
import { CONDUCTOR_API_VERSION, CONDUCTOR_TOPIC } from './rpc-api.js';

const LOG = getLogger('nimbus.compute.conductor');

export interface ConductorServiceOptions {
  readonly stores: Pick<ComputeStores, 'instances' | 'actions' | 'nodes' | 'migrations' | 'aggregates' | 'requestSteps' | 'blockDevices' | 'faultInjections' | 'conductorTasks'>;
  readonly transport: Transport;
  readonly registry: ServiceRegistry;
  /** This process's host name, as the services table shows it. */
  readonly host: string;
  /** `[bus] rpc_response_timeout` in seconds. */
  readonly rpcTimeoutSeconds?: number;
  /** `[scheduler] max_attempts`. */
  readonly maxAttempts?: number;
  /** `[DEFAULT] report_interval` in ms. */
  readonly reportIntervalMs?: number;
  /** `[DEFAULT] allow_resize_to_same_host`. */
  readonly allowResizeToSameHost?: boolean;
  /** How often (ms) to look for tasks of conductors that died (default: the report interval). */
  readonly recoveryIntervalMs?: number;
  /** `[DEFAULT] instance_build_timeout`, seconds (0: servers may stay in BUILD). */
  readonly instanceBuildTimeoutSeconds?: number;
}

export class ConductorService {
  readonly #server: RpcServer;
  readonly #deps: TaskDeps;
  /** For the confirms the conductor starts itself (resize_confirm_window). */
  readonly #actionLog: InstanceActionLog;
  readonly #registry: ServiceRegistry;
  /** Service ids by `binary@host`, so a heartbeat is one UPDATE. */
  readonly #serviceIds = new Map<string, number>();
  #stopHeartbeat: StopHeartbeat | undefined;
  /** Whose tasks these are: recorded while they run, so a dead conductor's can be settled. */
  readonly #owner: TaskOwner;
  readonly #recovery: OrphanedTaskDeps;
  readonly #periodic = new PeriodicTasks();
  /** The agents' client: builds cast and not started yet go again when the bus is back (placed-builds.ts). */
  readonly #placedBuilds: PlacedBuilds;
  #stopPlacedBuilds: (() => Promise<void>) | undefined;

  constructor(private readonly options: ConductorServiceOptions) {
    const timeout = options.rpcTimeoutSeconds ?? 60;
    this.#registry = options.registry;
    const { instances, actions, nodes, migrations, aggregates, blockDevices } = options.stores;
    this.#actionLog = new InstanceActionLog(actions);
    this.#placedBuilds = new PlacedBuilds(new ComputeAgentRpcClient(options.transport, timeout), instances);
    this.#deps = {
      instances,
      actions,
      nodes,
      scheduler: new TracedSchedulerClient(options.transport, timeout, new RequestTrace(options.stores.requestSteps), options.host),
      agents: this.#placedBuilds,
      migrations,
      aggregates,
      services: options.registry,
      host: options.host,
      maxAttempts: options.maxAttempts ?? 3,
    };
    this.#owner = new TaskOwner(options.stores.conductorTasks, options.host);
    this.#recovery = { ...this.#deps, conductorTasks: options.stores.conductorTasks, registry: options.registry };
    const owned = this.#owner;
    this.#server = new RpcServer(
      options.transport,
      { topic: CONDUCTOR_TOPIC, server: options.host, version: CONDUCTOR_API_VERSION },
      {
        build_instances: (args: BuildInstancesArgs) =>
          owned.run(ConductorTask.BUILD, args.builds, () => runTask(new BuildInstancesTask(this.#deps, args.builds, args.spec))),
        reschedule: (args: RescheduleArgs) => owned.run(ConductorTask.RESCHEDULE, [args.build], () => runTask(new RescheduleInstanceTask(this.#deps, args))),
        migrate_server: (args: MigrateServerArgs) =>
          owned.run(ConductorTask.MIGRATE, [args], () => runTask(new MigrateServerTask(this.#deps, args, options.allowResizeToSameHost ?? false))),
        confirm_move_resources: (args: MoveResourcesArgs) => confirmMoveResources(this.#deps, args),
        release_move_resources: (args: MoveResourcesArgs) => releaseMoveResources(this.#deps, args),
        migration_in_progress: (args: { instanceUuid: string }) => moveInProgress(this.#deps, args.instanceUuid),
        poll_unconfirmed_resizes: (args: PollUnconfirmedResizesArgs) => pollUnconfirmedResizes(this.#deps, this.#actionLog, args),
        live_migrate_instance: (args: LiveMigrateInstanceArgs) =>
          owned.run(ConductorTask.LIVE_MIGRATE, [args.request], () => runTask(new LiveMigrateInstanceTask(this.#deps, args.request), { rethrow: args.wait })),
        evacuate_instance: (args: EvacuateServerArgs) => owned.run(ConductorTask.EVACUATE, [args.request], () => runTask(new EvacuateInstanceTask(this.#deps, args.request))),
        instance_get: async (args: { uuid: string }): Promise<AgentInstance | null> => (await instances.get(args.uuid)) ?? null,
        unshelve_instance: (args: UnshelveServerArgs) => owned.run(ConductorTask.UNSHELVE, [args], () => runTask(new UnshelveInstanceTask(this.#deps, args))),
        instance_update: async (args: InstanceUpdateArgs) => instances.update(await withHostZone(aggregates, args)),
        instance_system_metadata_get: (args: { uuid: string }) => instances.systemMetadata(args.uuid),
        instance_fault_create: (args: FaultArgs) => instances.addFault(args),
        instance_info_cache_update: (args: InfoCacheUpdateArgs) => instances.setNetworkInfo(args.uuid, args.networkInfo),
        action_event_start: (args: ActionEventArgs) => this.#deps.actions.eventStart(args),
        action_event_finish: (args: ActionEventFinishArgs) => this.#deps.actions.eventFinish(args),
        migration_update: (args: MigrationUpdateArgs) => this.#deps.migrations.update(args.id, args.changes, args.expectedStatuses),
        migration_list: (args: { filter: MigrationFilter }): Promise<MigrationRow[]> => this.#deps.migrations.list(args.filter),
        instances_on_host: (args: { host: string }) => instances.onHost(args.host),
        block_device_mapping_update: (args: BlockDeviceUpdateArgs) => blockDevices.update(args.instanceUuid, args.volumeId, { connectionInfo: args.connectionInfo }),
        block_device_mapping_get_all_by_instance: async (args: { instanceUuid: string }): Promise<AgentBlockDevice[]> =>
          (await blockDevices.ofInstance(args.instanceUuid)).map(({ createdAt: _created, ...mapping }) => mapping),
        block_device_mapping_save: async (args: BlockDeviceSaveArgs) => {
          await blockDevices.save(args.id, args.changes);
        },
        block_device_mapping_destroy: (args: BlockDeviceDestroyArgs) =>
          args.volumeId === undefined ? blockDevices.deleteAllOf(args.instanceUuid) : blockDevices.delete(args.instanceUuid, args.volumeId),
        release_resources: async (args: { instanceUuid: string }) => {
          await releaseClaim(this.#deps, args.instanceUuid);
          await settleDeletedMoves(this.#deps, args.instanceUuid);
        },
        compute_node_update: (args: ComputeNodeUpdateArgs) => this.computeNodeUpdate(args),
        service_heartbeats: (args: ServiceHeartbeatsArgs) => this.serviceHeartbeats(args.services),
        // What agents from before 2026-12-07 send, one host at a time (an upgrade starts with the conductors).
        service_heartbeat: (args: ServiceHeartbeatArgs) => this.serviceHeartbeats([args]),
        fault_injections_on_host: async (args: { host: string }): Promise<FaultInjection[]> =>
          (await options.stores.faultInjections.active(new Date(), args.host)).map(faultOfRow),
        fault_injection_used: (args: { id: string }) => options.stores.faultInjections.used(args.id, new Date()),
      },
    );
  }

  /**
   * Settles what an earlier start of this host left half done before taking new messages (one
   * delivered again then finds the outcome), then serves, heartbeats, and looks for the tasks of
   * dead conductors every recovery interval; when its bus connection is back after a loss, it casts
   * again the builds it cast that their hosts have not started (placed-builds.ts).
   */
  async start(): Promise<void> {
    await this.recoverOrphanedTasks().catch((error: unknown) => LOG.warning('Could not look for tasks a stopped conductor left', { error }));
    await this.#server.start();
    const service = await this.#registry.register({ binary: CONDUCTOR_BINARY, host: this.options.host, topic: CONDUCTOR_TOPIC });
    const intervalMs = this.options.reportIntervalMs ?? 10_000;
    this.#stopHeartbeat = this.#registry.startHeartbeat(service.id, intervalMs);
    this.#periodic.every('recover_orphaned_tasks', this.options.recoveryIntervalMs ?? intervalMs, async () => {
      await this.recoverOrphanedTasks();
    });
    this.#stopPlacedBuilds = this.#placedBuilds.watch(this.options.transport, intervalMs);
    const buildTimeoutMs = (this.options.instanceBuildTimeoutSeconds ?? 0) * 1000;
    this.#periodic.every('_check_instance_build_time', Math.min(buildTimeoutMs, BUILD_TIMEOUT_POLL_MAX_MS), async () => {
      await this.checkInstanceBuildTime();
    });
    LOG.info('Conductor started');
  }

  async stop(): Promise<void> {
    await this.#stopPlacedBuilds?.();
    await this.#periodic.stop();
    await this.#server.stop();
    await this.#stopHeartbeat?.();
  }

  /** Settles the tasks of conductors that are gone (orphaned-tasks.ts); how many. */
  recoverOrphanedTasks(): Promise<number> {
    return recoverOrphanedTasks(this.#recovery, this.#owner.self);
  }

  /** Nova's _check_instance_build_time (build-timeout.ts): how many servers in BUILD too long it set to ERROR. */
  checkInstanceBuildTime(): Promise<number> {
    return failTimedOutBuilds(this.#deps, this.options.instanceBuildTimeoutSeconds ?? 0);
  }

  /** Nova's update_available_resource, DB half: the node row, then the scheduler's cache. */
  async computeNodeUpdate({ host, resources, instanceUuids, capabilities }: ComputeNodeUpdateArgs): Promise<void> {
    await this.#deps.nodes.upsert(host, resources, capabilities);
    await this.#deps.scheduler.updateHost({
      host,
      node: resources.hypervisorHostname,
      vcpus: resources.vcpus,
      vcpusUsed: resources.vcpusUsed,
      memoryMb: resources.memoryMb,
      memoryMbUsed: resources.memoryMbUsed,
      localGb: resources.localGb,
      localGbUsed: resources.localGbUsed,
      hypervisorType: resources.hypervisorType,
      hypervisorVersion: resources.hypervisorVersion,
      supportedInstances: [[resources.cpuInfo.arch, resources.hypervisorType.toLowerCase(), 'hvm']],
      capabilities: { cpu_arch: resources.cpuInfo.arch, hypervisor_type: resources.hypervisorType },
      instanceUuids,
    });
  }

  /**
   * Services' beats, those of all the hosts of one agent process at once: the known ones counted in
   * one statement, each other one registered (its first beat, or its row vanished).
   */
  async serviceHeartbeats(services: readonly ServiceHeartbeatArgs[]): Promise<void> {
    const known = new Map<number, ServiceHeartbeatArgs>();
    const unknown: ServiceHeartbeatArgs[] = [];
    for (const service of services) {
      const id = this.#serviceIds.get(serviceKey(service));
      if (id === undefined) unknown.push(service);
      else known.set(id, service);
    }
    for (const id of known.size === 0 ? [] : await this.#registry.heartbeatMany([...known.keys()])) {
      const service = known.get(id);
      if (service !== undefined) unknown.push(service);
    }
    for (const service of unknown) await this.#registerService(service);
  }

  async #registerService(service: ServiceHeartbeatArgs): Promise<void> {
    const record = await this.#registry.register(service);
    this.#serviceIds.set(serviceKey(service), record.id);
    if (service.binary === COMPUTE_BINARY) {
      await this.#deps.scheduler.updateService(service.host, {
        up: record.up,
        disabled: record.disabled,
        disabledReason: record.disabledReason,
        forcedDown: record.forcedDown,
      });
    }
  }
}

/** The (binary, host) a service row is unique on. */
function serviceKey(service: ServiceHeartbeatArgs): string {
  return `${service.binary}@${service.host}`;
}
