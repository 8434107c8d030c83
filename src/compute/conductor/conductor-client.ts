/**
 * What a compute agent asks of the conductor (Nova's conductor DB proxy): an agent holds no DB
 * credentials, so every write it needs is one of these. Calls, so the agent knows it landed.
 */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type {
  ActionEventArgs,
  ActionEventFinishArgs,
  AgentInstance,
  ComputeNodeUpdateArgs,
  FaultArgs,
  InstanceUpdateArgs,
  MigrationUpdateArgs,
  MoveMigrationWire,
  MoveResourcesArgs,
  PollUnconfirmedResizesArgs,
  RescheduleArgs,
  ServiceHeartbeatArgs,
} from './wire.js';
import { CONDUCTOR_API_VERSION, CONDUCTOR_TOPIC } from './wire.js';
import type { MigrationFilter, MigrationRow } from '../migrations/migration.js';

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

  async serviceHeartbeat(args: ServiceHeartbeatArgs): Promise<void> {
    await this.#rpc.call('service_heartbeat', args);
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
