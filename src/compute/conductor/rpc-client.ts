/**
 * The callers' side of the conductor's RPC API (Nova's conductor rpcapi): ComputeTaskRpcClient is
 * what the compute API casts to the conductor; ConductorClient what a compute agent asks of it.
 */
import { RpcClient, waitUntilReady, type RpcArgs, type Transport, type WaitUntilReadyOptions } from '../../common/bus/index.js';
import type { LostTaskRecorder } from './lost-casts.js';
import { ConductorTask, type TaskSubject } from './task-owner.js';
import type { MigrationFilter, MigrationRow, MoveMigrationWire } from '../moves/migration.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { toWireSpec } from '../scheduler/rpc-api.js';
import type { FaultInjection } from '../faults/fault-injection.js';
import {
  CONDUCTOR_API_VERSION,
  CONDUCTOR_TOPIC,
  type ActionEventArgs,
  type ActionEventFinishArgs,
  type AgentBlockDevice,
  type AgentInstance,
  type BlockDeviceDestroyArgs,
  type BlockDeviceSaveArgs,
  type BlockDeviceUpdateArgs,
  type BuildInstancesArgs,
  type BuildRequest,
  type ComputeNodeUpdateArgs,
  type ComputeTaskApi,
  type EvacuateRequest,
  type FaultArgs,
  type InfoCacheUpdateArgs,
  type InstanceUpdateArgs,
  type LiveMigrateRequest,
  type MigrateServerArgs,
  type MigrationUpdateArgs,
  type MoveResourcesArgs,
  type PollUnconfirmedResizesArgs,
  type RescheduleArgs,
  type ResizeRequest,
  type ServiceHeartbeatsArgs,
  type UnshelveServerArgs,
} from './rpc-api.js';

export class ComputeTaskRpcClient implements ComputeTaskApi {
  readonly #rpc: RpcClient;

  /** `onLost`: what a cast no conductor took becomes (lost-casts.ts); absent, it is only logged by the bus. */
  constructor(
    transport: Transport,
    timeoutSeconds: number,
    private readonly onLost?: LostTaskRecorder,
  ) {
    this.#rpc = new RpcClient(transport, { topic: CONDUCTOR_TOPIC, version: CONDUCTOR_API_VERSION, timeoutSeconds });
  }

  buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void> {
    const args: BuildInstancesArgs = { builds, spec: toWireSpec(spec) };
    return this.#cast('build_instances', args, ConductorTask.BUILD, builds);
  }

  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void> {
    const args: UnshelveServerArgs = { instanceUuid, spec: toWireSpec(spec) };
    return this.#cast('unshelve_instance', args, ConductorTask.UNSHELVE, [args]);
  }

  resizeInstance(request: ResizeRequest): Promise<void> {
    const args: MigrateServerArgs = { ...request, spec: toWireSpec(request.spec) };
    return this.#cast('migrate_server', args, ConductorTask.MIGRATE, [args]);
  }

  async liveMigrateInstance(request: LiveMigrateRequest, { wait }: { readonly wait: boolean }): Promise<void> {
    if (wait) await this.#rpc.call('live_migrate_instance', { request, wait });
    else await this.#cast('live_migrate_instance', { request, wait }, ConductorTask.LIVE_MIGRATE, [request]);
  }

  evacuateInstance(request: EvacuateRequest): Promise<void> {
    return this.#cast('evacuate_instance', { request }, ConductorTask.EVACUATE, [request]);
  }

  #cast(method: string, args: RpcArgs, task: ConductorTask, subjects: readonly TaskSubject[]): Promise<void> {
    return this.#rpc.cast(method, args, this.onLost === undefined ? {} : { onDropped: this.onLost(task, subjects) });
  }
}

/**
 * What a compute agent asks of the conductor (Nova's conductor DB proxy): an agent holds no DB
 * credentials, so every write it needs is one of these. Calls, so the agent knows it landed.
 */

export class ConductorClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: CONDUCTOR_TOPIC, version: CONDUCTOR_API_VERSION, timeoutSeconds });
  }

  instanceGet(uuid: string): Promise<AgentInstance | null> {
    return this.#rpc.call<AgentInstance | null>('instance_get', { uuid });
  }

  /** True when the instance was still in the expected state and the change applied. */
  instanceUpdate(args: InstanceUpdateArgs): Promise<boolean> {
    return this.#rpc.call<boolean>('instance_update', args);
  }

  /** The instance's system metadata (shelve keeps shelved_at, shelved_image_id, shelved_host there). */
  instanceSystemMetadata(uuid: string): Promise<Record<string, string>> {
    return this.#rpc.call<Record<string, string>>('instance_system_metadata_get', { uuid });
  }

  /** Stores the instance's network info (Nova's instance_info_cache_update). */
  async instanceInfoCacheUpdate(args: InfoCacheUpdateArgs): Promise<void> {
    await this.#rpc.call('instance_info_cache_update', args);
  }

  async instanceFaultCreate(args: FaultArgs): Promise<void> {
    await this.#rpc.call('instance_fault_create', args);
  }

  async actionEventStart(args: ActionEventArgs): Promise<void> {
    await this.#rpc.call('action_event_start', args);
  }

  async actionEventFinish(args: ActionEventFinishArgs): Promise<void> {
    await this.#rpc.call('action_event_finish', args);
  }

  async computeNodeUpdate(args: ComputeNodeUpdateArgs): Promise<void> {
    await this.#rpc.call('compute_node_update', args);
  }

  /** Returns once a conductor answers (Nova's conductor API wait_until_ready, before a service's first report). */
  waitUntilReady(options?: WaitUntilReadyOptions): Promise<void> {
    return waitUntilReady(this.#rpc, 'nova-conductor', options);
  }

  async serviceHeartbeats(args: ServiceHeartbeatsArgs): Promise<void> {
    await this.#rpc.call('service_heartbeats', args);
  }

  async blockDeviceUpdate(args: BlockDeviceUpdateArgs): Promise<void> {
    await this.#rpc.call('block_device_mapping_update', args);
  }

  blockDevicesOf(instanceUuid: string): Promise<AgentBlockDevice[]> {
    return this.#rpc.call<AgentBlockDevice[]>('block_device_mapping_get_all_by_instance', { instanceUuid });
  }

  async blockDeviceSave(args: BlockDeviceSaveArgs): Promise<void> {
    await this.#rpc.call('block_device_mapping_save', args);
  }

  async blockDeviceDestroy(args: BlockDeviceDestroyArgs): Promise<void> {
    await this.#rpc.call('block_device_mapping_destroy', args);
  }

  /** The injections acting on the host now (/v2.1/nimbus/faults), for its agent at start. */
  faultInjectionsOnHost(host: string): Promise<FaultInjection[]> {
    return this.#rpc.call<FaultInjection[]>('fault_injections_on_host', { host });
  }

  /** One application of a counted injection happened; its last ends it. */
  async faultInjectionUsed(id: string): Promise<void> {
    await this.#rpc.call('fault_injection_used', { id });
  }

  instancesOnHost(host: string): Promise<AgentInstance[]> {
    return this.#rpc.call<AgentInstance[]>('instances_on_host', { host });
  }

  /** Gives back the instance's claims (scheduler) and allocations (DB) after it is gone. */
  async releaseResources(instanceUuid: string): Promise<void> {
    await this.#rpc.call('release_resources', { instanceUuid });
  }

  /** True when the migration was still in an expected status and the change applied. */
  migrationUpdate(args: MigrationUpdateArgs): Promise<boolean> {
    return this.#rpc.call<boolean>('migration_update', args);
  }

  migrationList(filter: MigrationFilter): Promise<MigrationRow[]> {
    return this.#rpc.call<MigrationRow[]>('migration_list', { filter });
  }

  /** A resize confirmed (or finished on a destination that failed): the source's claim and allocation go. */
  async confirmMoveResources(args: MoveResourcesArgs): Promise<void> {
    await this.#rpc.call('confirm_move_resources', args);
  }

  /** A resize reverted (or failed before the guest left): the destination's claim and allocation go. */
  async releaseMoveResources(args: MoveResourcesArgs): Promise<void> {
    await this.#rpc.call('release_move_resources', args);
  }

  /** Nova's _poll_unconfirmed_resizes: the conductor starts the confirm of each resize to this host that is due. */
  async pollUnconfirmedResizes(args: PollUnconfirmedResizesArgs): Promise<void> {
    await this.#rpc.call('poll_unconfirmed_resizes', args);
  }

  /** The instance's resize or cold migration still under way, if any. */
  migrationInProgress(instanceUuid: string): Promise<MoveMigrationWire | null> {
    return this.#rpc.call<MoveMigrationWire | null>('migration_in_progress', { instanceUuid });
  }

  reschedule(args: RescheduleArgs): Promise<void> {
    return this.#rpc.cast('reschedule', args);
  }
}
