/** The caller's side of the volume service's RPC API (the API's and the scheduler's VolumeAPI). */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { SnapshotRef, VolumeRef } from '../backends/volume-driver.js';
import type { ConnectionInfo, VolumeConnector } from '../volumes/attachment.js';
import { VOLUME_API_VERSION, VOLUME_TOPIC, type CopyVolumeToImageArgs, type VolumeManagerCalls, type ReimageVolumeArgs, type VolumeManagerVerbs, type VolumeSource } from './rpc-api.js';

export class VolumeManagerRpcClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: VOLUME_TOPIC, version: VOLUME_API_VERSION, timeoutSeconds });
  }

  #cast<K extends keyof VolumeManagerVerbs>(backendHost: string, method: K, args: VolumeManagerVerbs[K]): Promise<void> {
    return this.#rpc.cast(method, args, { server: backendHost });
  }

  #call<K extends keyof VolumeManagerCalls>(backendHost: string, method: K, args: VolumeManagerCalls[K]['args']): Promise<VolumeManagerCalls[K]['result']> {
    return this.#rpc.call(method, args, { server: backendHost });
  }

  initializeConnection(backendHost: string, volume: VolumeRef, connector: VolumeConnector): Promise<ConnectionInfo> {
    return this.#call(backendHost, 'initialize_connection', { volume, connector });
  }

  async terminateConnection(backendHost: string, volume: VolumeRef, connector: VolumeConnector): Promise<void> {
    await this.#call(backendHost, 'terminate_connection', { volume, connector });
  }

  createVolume(backendHost: string, volume: VolumeRef, source: VolumeSource): Promise<void> {
    return this.#cast(backendHost, 'create_volume', { volume, source });
  }

  deleteVolume(backendHost: string, volume: VolumeRef, snapshots: readonly SnapshotRef[] = []): Promise<void> {
    return this.#cast(backendHost, 'delete_volume', { volume, ...(snapshots.length === 0 ? {} : { snapshots }) });
  }

  extendVolume(backendHost: string, volume: VolumeRef, newSizeGb: number, instanceUuids: readonly string[] = []): Promise<void> {
    return this.#cast(backendHost, 'extend_volume', { volume, newSizeGb, ...(instanceUuids.length === 0 ? {} : { instanceUuids }) });
  }

  reimageVolume(backendHost: string, args: ReimageVolumeArgs): Promise<void> {
    return this.#cast(backendHost, 'reimage_volume', args);
  }

  copyVolumeToImage(backendHost: string, args: CopyVolumeToImageArgs): Promise<void> {
    return this.#cast(backendHost, 'copy_volume_to_image', args);
  }

  createSnapshot(backendHost: string, snapshot: SnapshotRef): Promise<void> {
    return this.#cast(backendHost, 'create_snapshot', { snapshot });
  }

  deleteSnapshot(backendHost: string, snapshot: SnapshotRef): Promise<void> {
    return this.#cast(backendHost, 'delete_snapshot', { snapshot });
  }

  /** Every volume service reports its capabilities at once (a scheduler starting). */
  publishServiceCapabilities(): Promise<void> {
    return this.#rpc.fanout('publish_service_capabilities', {});
  }
}
