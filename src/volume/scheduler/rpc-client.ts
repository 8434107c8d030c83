/** The caller's side of the volume scheduler's RPC API: the volume API places, volume services report. */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { VolumeSource } from '../manager/rpc-api.js';
import type { MessageEvent } from '../volumes/user-message.js';
import type { VolumeRequestSpec } from './request-spec.js';
import { VOLUME_SCHEDULER_API_VERSION, VOLUME_SCHEDULER_TOPIC, type BackendReport, type PoolReport, type ScheduleRetypeArgs, type SchedulerVerbs, type SnapshotUpdate, type VolumeUpdate } from './rpc-api.js';

/** What a volume service tells the scheduler. */
export interface VolumeStatusReporter {
  volumeUpdate(volumeId: string, update: VolumeUpdate): Promise<void>;
  volumeDeleted(volumeId: string): Promise<void>;
  snapshotUpdate(snapshotId: string, update: SnapshotUpdate): Promise<void>;
  snapshotDeleted(snapshotId: string): Promise<void>;
  recordMessage(event: MessageEvent): Promise<void>;
  updateServiceCapabilities(report: BackendReport): Promise<void>;
}

export class VolumeSchedulerRpcClient implements VolumeStatusReporter {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: VOLUME_SCHEDULER_TOPIC, version: VOLUME_SCHEDULER_API_VERSION, timeoutSeconds });
  }

  #cast<K extends keyof SchedulerVerbs>(method: K, args: SchedulerVerbs[K]): Promise<void> {
    return this.#rpc.cast(method, args);
  }

  /** Calls: the volume service knows its outcome is recorded before it moves on. */
  async #call<K extends keyof SchedulerVerbs>(method: K, args: SchedulerVerbs[K]): Promise<void> {
    await this.#rpc.call(method, args);
  }

  createVolume(spec: VolumeRequestSpec, source: VolumeSource): Promise<void> {
    return this.#cast('create_volume', { spec, source });
  }

  extendVolume(spec: VolumeRequestSpec, newSizeGb: number, instanceUuids: readonly string[] = []): Promise<void> {
    return this.#cast('extend_volume', { spec, newSizeGb, ...(instanceUuids.length === 0 ? {} : { instanceUuids }) });
  }

  retypeVolume(spec: VolumeRequestSpec, retype: Omit<ScheduleRetypeArgs, 'spec'>): Promise<void> {
    return this.#cast('retype_volume', { spec, ...retype });
  }

  /** The pools of the backends that reported within the down time, less the disabled and frozen ones (scheduler-stats/get_pools). */
  getPools(): Promise<PoolReport[]> {
    return this.#rpc.call<PoolReport[]>('get_pools', {});
  }

  /** The last report of the backend `host@backend` within the down time, disabled or frozen too; null when there is none. */
  getBackendReport(backendHost: string): Promise<PoolReport | null> {
    return this.#rpc.call<PoolReport | null>('get_backend_report', { backendHost });
  }

  updateServiceCapabilities(report: BackendReport): Promise<void> {
    return this.#cast('update_service_capabilities', { report });
  }

  volumeUpdate(volumeId: string, update: VolumeUpdate): Promise<void> {
    return this.#call('volume_update', { volumeId, update });
  }

  volumeDeleted(volumeId: string): Promise<void> {
    return this.#call('volume_deleted', { volumeId });
  }

  snapshotUpdate(snapshotId: string, update: SnapshotUpdate): Promise<void> {
    return this.#call('snapshot_update', { snapshotId, ...update });
  }

  snapshotDeleted(snapshotId: string): Promise<void> {
    return this.#call('snapshot_deleted', { snapshotId });
  }

  recordMessage(event: MessageEvent): Promise<void> {
    return this.#call('record_message', { event });
  }
}
