/**
 * The volume service of one backend (cinder-volume's VolumeManager): listens on `cinder-volume`
 * as `host@backend`, drives its VolumeDriver, and tells the scheduler how each piece of work
 * ended. It holds no database credentials; its capability reports and heartbeats keep the
 * scheduler and `volume service list` current.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { convertImage, qemuImgFormatOf } from '../../common/disk/qemu-img.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry, StopHeartbeat } from '../../common/service/service-registry.js';
import type { SnapshotRef, VolumeDriver, VolumeRef } from '../backends/volume-driver.js';
import type { ComputeNotifier } from '../compute/nova-client.js';
import type { BackendReport } from '../scheduler/rpc-api.js';
import type { VolumeStatusReporter } from '../scheduler/rpc-client.js';
import { exportsTo, type VolumeExportPolicy } from '../targets/target-protocol.js';
import type { ConnectionInfo } from '../volumes/attachment.js';
import type { MessageEvent } from '../volumes/user-message.js';
import {
  VOLUME_API_VERSION,
  VOLUME_TOPIC,
  type ConnectionArgs,
  type CopyVolumeToImageArgs,
  type CreateVolumeArgs,
  type DeleteVolumeArgs,
  type ExtendVolumeArgs,
  type ReimageVolumeArgs,
  type SnapshotArgs,
  type VolumeManagerCalls,
  type VolumeManagerVerbs,
} from './rpc-api.js';

const LOG = getLogger('nimbus.volume.manager');

export const VOLUME_BINARY = 'cinder-volume';

/** The image service as a volume service uses it, under the request's context. */
export interface VolumeImageSource {
  openImageData(imageId: string): Promise<Readable>;
  /** Fills a queued image with `data`; it is active after. */
  uploadImageData(imageId: string, data: Readable): Promise<void>;
  /** Deletes an image a failed upload left queued or saving (Cinder's _delete_image); an active or gone one stays. */
  discardImage(imageId: string): Promise<void>;
}

export interface VolumeManagerOptions {
  readonly transport: Transport;
  readonly driver: VolumeDriver;
  /** `[DEFAULT] host`; the service is `host@<volume_backend_name>`. */
  readonly host: string;
  /** `[volume] storage_availability_zone`. */
  readonly availabilityZone: string;
  readonly status: VolumeStatusReporter;
  readonly images: VolumeImageSource;
  /** Where image data is staged before the driver converts it. */
  readonly stagingDir: string;
  readonly registry: Pick<ServiceRegistry, 'register' | 'startHeartbeat'>;
  /** Compute's events API, told when an attached volume grew (absent: guests see it at their next start). */
  readonly compute?: ComputeNotifier;
  /** Which hosts get the local path and which an NBD export (absent: every host the path, as `file`). */
  readonly exports?: VolumeExportPolicy;
  /** Heartbeat and capability report period, ms ([DEFAULT] report_interval, 10 s). */
  readonly reportIntervalMs?: number;
  /** `[volume] reserved_percentage` (0) and `max_over_subscription_ratio` (20, Cinder's). */
  readonly reservedPercentage?: number;
  readonly maxOverSubscriptionRatio?: number;
}

type Handlers = { readonly [K in keyof VolumeManagerVerbs]: (args: VolumeManagerVerbs[K]) => Promise<void> } & {
  readonly [K in keyof VolumeManagerCalls]: (args: VolumeManagerCalls[K]['args']) => Promise<VolumeManagerCalls[K]['result']>;
};

export class VolumeManager {
  readonly backendHost: string;
  readonly #options: VolumeManagerOptions;
  readonly #server: RpcServer;
  #stopHeartbeat: StopHeartbeat | undefined;
  #reportTimer: NodeJS.Timeout | undefined;

  constructor(options: VolumeManagerOptions) {
    this.#options = options;
    this.backendHost = `${options.host}@${options.driver.capabilities.volumeBackendName}`;
    const handlers: Handlers = {
      create_volume: (args) => this.createVolume(args),
      delete_volume: (args) => this.deleteVolume(args),
      extend_volume: (args) => this.extendVolume(args),
      reimage_volume: (args) => this.reimageVolume(args),
      copy_volume_to_image: (args) => this.copyVolumeToImage(args),
      create_snapshot: (args) => this.createSnapshot(args),
      delete_snapshot: (args) => this.deleteSnapshot(args),
      publish_service_capabilities: () => this.reportCapabilities(),
      initialize_connection: (args) => this.initializeConnection(args),
      terminate_connection: (args) => this.terminateConnection(args),
    };
    this.#server = new RpcServer(options.transport, { topic: VOLUME_TOPIC, server: this.backendHost, version: VOLUME_API_VERSION }, handlers);
  }

  async start(): Promise<void> {
    const { driver, registry } = this.#options;
    await driver.setUp();
    await mkdir(this.#options.stagingDir, { recursive: true, mode: 0o700 });
    await this.#server.start();
    const service = await registry.register({ binary: VOLUME_BINARY, host: this.backendHost, topic: VOLUME_TOPIC });
    const interval = this.#options.reportIntervalMs ?? 10_000;
    this.#stopHeartbeat = registry.startHeartbeat(service.id, interval);
    await this.reportCapabilities();
    this.#reportTimer = setInterval(() => void runWithContext(newAdminContext(), () => this.reportCapabilities()), interval);
    this.#reportTimer.unref();
    LOG.info(`Volume service ${this.backendHost} started`);
  }

  async stop(): Promise<void> {
    clearInterval(this.#reportTimer);
    await this.#server.stop();
    await this.#stopHeartbeat?.();
  }

  /** Sends the backend's capabilities and capacity to the scheduler; a failure is logged, the next period retries. */
  async reportCapabilities(): Promise<void> {
    try {
      await this.#options.status.updateServiceCapabilities(await this.#report());
    } catch (error) {
      LOG.warning(`Cannot report the capabilities of ${this.backendHost}: ${messageOf(error)}`);
    }
  }

  async #report(): Promise<BackendReport> {
    const { driver } = this.#options;
    const capacity = await driver.getCapacity();
    const caps = driver.capabilities;
    return {
      backendHost: this.backendHost,
      pool: caps.volumeBackendName,
      availabilityZone: this.#options.availabilityZone,
      capabilities: {
        volume_backend_name: caps.volumeBackendName,
        vendor_name: caps.vendorName,
        driver_version: caps.driverVersion,
        storage_protocol: caps.storageProtocol,
        total_capacity_gb: capacity.totalCapacityGb,
        free_capacity_gb: capacity.freeCapacityGb,
        provisioned_capacity_gb: capacity.provisionedCapacityGb,
        reserved_percentage: this.#options.reservedPercentage ?? 0,
        max_over_subscription_ratio: this.#options.maxOverSubscriptionRatio ?? 20,
        thin_provisioning_support: caps.thinProvisioning,
        thick_provisioning_support: !caps.thinProvisioning,
        multiattach: caps.multiattach,
        online_extend_support: caps.onlineExtend,
      },
    };
  }

  async createVolume({ volume, source }: CreateVolumeArgs): Promise<void> {
    const { driver, status } = this.#options;
    try {
      switch (source.kind) {
        case 'blank':
          await driver.createVolume(volume);
          break;
        case 'snapshot':
          await driver.createVolumeFromSnapshot(volume, source.snapshot);
          break;
        case 'volume':
          await driver.createClonedVolume(volume, source.volume);
          break;
        case 'image':
          await this.#createFromImage(volume, source.imageId, source.diskFormat);
          break;
      }
    } catch (error) {
      LOG.error(`Volume ${volume.id} could not be created on ${this.backendHost}: ${messageOf(error)}`);
      const message = source.kind === 'image' ? ({ action: 'COPY_IMAGE_TO_VOLUME', detail: 'UNKNOWN_ERROR' } as const) : ({ action: 'CREATE_VOLUME_FROM_BACKEND', detail: 'DRIVER_FAILED_CREATE' } as const);
      await status.volumeUpdate(volume.id, { status: 'error', errorReason: messageOf(error), message });
      return;
    }
    LOG.info(`Created volume ${volume.id} (${volume.sizeGb}GB, from ${source.kind})`);
    await status.volumeUpdate(volume.id, { status: 'available', launchedAt: new Date().toISOString(), ...(source.kind === 'image' ? { bootable: true } : {}) });
    await this.reportCapabilities();
  }

  async #createFromImage(volume: VolumeRef, imageId: string, diskFormat: string): Promise<void> {
    await this.#withStagedImage(volume, imageId, (path) => this.#options.driver.createVolumeFromImage(volume, { path, diskFormat }));
  }

  async #withStagedImage(volume: VolumeRef, imageId: string, use: (path: string) => Promise<void>): Promise<void> {
    const staged = join(this.#options.stagingDir, `${volume.id}.image`);
    try {
      await pipeline(await this.#options.images.openImageData(imageId), createWriteStream(staged, { mode: 0o600 }));
      await use(staged);
    } finally {
      await rm(staged, { force: true });
    }
  }

  /**
   * Cinder's reimage: the image's data replaces the volume's, which goes back to its status from
   * before (a reserved root volume stays reserved for the rebuild) and shows the new image's
   * metadata; a failure is `error`. The instances of a reserved volume are told either way.
   */
  async reimageVolume({ volume, imageId, diskFormat, imageMetadata, previousStatus, instanceUuids }: ReimageVolumeArgs): Promise<void> {
    const { driver, status } = this.#options;
    let outcome: 'completed' | 'failed' = 'completed';
    try {
      await this.#withStagedImage(volume, imageId, (path) => driver.reimageVolume(volume, { path, diskFormat }));
      LOG.info(`Re-imaged ${imageId} to volume ${volume.id} successfully`);
      await status.volumeUpdate(volume.id, { status: previousStatus, bootable: true, imageMetadata, errorReason: null });
    } catch (error) {
      outcome = 'failed';
      LOG.error(`Failed to re-image volume ${volume.id} with image ${imageId}: ${messageOf(error)}`);
      await status.volumeUpdate(volume.id, { status: 'error', errorReason: messageOf(error) });
    }
    if (previousStatus === 'reserved' && instanceUuids.length > 0) {
      const failed = { action: 'REIMAGE_VOLUME', detail: 'REIMAGE_VOLUME_FAILED', resourceType: 'VOLUME', resourceUuid: volume.id } as const;
      await this.#tellCompute(`reimaged volume ${volume.id}`, failed, (compute) => compute.volumeReimaged(instanceUuids, volume.id, outcome));
    }
  }

  /**
   * Cinder's copy_volume_to_image: the volume's data (raw on every backend here) into the queued
   * image, converted by qemu-img to its disk format first (raw goes as it is). The volume goes back
   * to its status from before either way; a failure deletes the unfinished image.
   */
  async copyVolumeToImage({ volume, image, previousStatus }: CopyVolumeToImageArgs): Promise<void> {
    const { driver, images, status } = this.#options;
    const converted = join(this.#options.stagingDir, `${image.id}.upload`);
    let failed = false;
    try {
      const device = await driver.openVolumeDevice(volume);
      try {
        let data = device.path;
        if (image.diskFormat !== 'raw') {
          // In use, a guest holds the file's lock: read it shared, as the guest's writes go on (Cinder's force).
          await convertImage({ path: device.path, format: 'raw', forceShare: previousStatus === 'in-use' }, { path: converted, format: qemuImgFormatOf(image.diskFormat) });
          data = converted;
        }
        await images.uploadImageData(image.id, createReadStream(data));
      } finally {
        await device.release();
      }
      LOG.info(`Uploaded volume ${volume.id} to image ${image.id} (${image.diskFormat})`);
    } catch (error) {
      LOG.error(`Upload of volume ${volume.id} to image ${image.id} failed: ${messageOf(error)}`);
      failed = true;
      await images.discardImage(image.id).catch((cause: unknown) => LOG.warning(`Image ${image.id} of the failed upload could not be deleted: ${messageOf(cause)}`));
    } finally {
      await rm(converted, { force: true });
    }
    await status.volumeUpdate(volume.id, { status: previousStatus, ...(failed ? { message: { action: 'COPY_VOLUME_TO_IMAGE', detail: 'FAILED_TO_UPLOAD_VOLUME' } } : {}) });
  }

  async deleteVolume({ volume, snapshots = [] }: DeleteVolumeArgs): Promise<void> {
    // Cascade: each snapshot as delete_snapshot would; one that stays keeps the volume.
    for (const snapshot of snapshots) {
      if (!(await this.#deleteSnapshotData(snapshot))) {
        await this.#options.status.volumeUpdate(volume.id, { status: 'error_deleting', errorReason: `Snapshot ${snapshot.id} could not be deleted` });
        return;
      }
    }
    try {
      await this.#options.exports?.target?.removeVolumeExports(volume.id);
      await this.#options.driver.deleteVolume(volume);
    } catch (error) {
      LOG.error(`Volume ${volume.id} could not be deleted: ${messageOf(error)}`);
      await this.#options.status.volumeUpdate(volume.id, { status: 'error_deleting', errorReason: messageOf(error) });
      return;
    }
    LOG.info(`Deleted volume ${volume.id}`);
    await this.#options.status.volumeDeleted(volume.id);
    await this.reportCapabilities();
  }

  async extendVolume({ volume, newSizeGb, instanceUuids = [] }: ExtendVolumeArgs): Promise<void> {
    try {
      await this.#options.driver.extendVolume(volume, newSizeGb);
    } catch (error) {
      LOG.error(`Volume ${volume.id} could not be extended to ${newSizeGb}GB: ${messageOf(error)}`);
      await this.#options.status.volumeUpdate(volume.id, { status: 'error_extending', errorReason: messageOf(error), message: { action: 'EXTEND_VOLUME', detail: 'DRIVER_FAILED_EXTEND' } });
      return;
    }
    LOG.info(`Extended volume ${volume.id} from ${volume.sizeGb}GB to ${newSizeGb}GB`);
    await this.#refreshExports(volume.id);
    await this.#options.status.volumeUpdate(volume.id, { status: instanceUuids.length > 0 ? 'in-use' : 'available', size: newSizeGb });
    await this.reportCapabilities();
    // Cinder's nova.extend_volume: the guests holding the volume are told it grew.
    if (instanceUuids.length > 0) {
      const failed = { action: 'EXTEND_VOLUME', detail: 'NOTIFY_COMPUTE_SERVICE_FAILED', resourceType: 'VOLUME', resourceUuid: volume.id } as const;
      await this.#tellCompute(`extended volume ${volume.id}`, failed, (compute) => compute.volumeExtended(instanceUuids, volume.id));
    }
  }

  /** The volume's NBD exports made again at its new size, so hosts reading it over NBD can see it grow; a failure is logged, the volume has grown. */
  async #refreshExports(volumeId: string): Promise<void> {
    try {
      await this.#options.exports?.target?.refreshVolumeExports(volumeId);
    } catch (error) {
      LOG.error(`The NBD exports of volume ${volumeId} could not follow its new size: ${messageOf(error)}`);
    }
  }

  /**
   * An event for compute; without a compute API configured, only logged. A refusal leaves the
   * user the `failed` message (Cinder's nova.extend_volume and reimage_volume); the volume's
   * change is kept.
   */
  async #tellCompute(what: string, failed: MessageEvent, send: (compute: ComputeNotifier) => Promise<void>): Promise<void> {
    const { compute } = this.#options;
    if (compute === undefined) {
      LOG.warning(`No compute API is configured to tell of the ${what}`);
      return;
    }
    try {
      await send(compute);
    } catch (error) {
      LOG.error(`Compute could not be told of the ${what}: ${messageOf(error)}`);
      await this.#options.status.recordMessage(failed);
    }
  }

  /** The backend's connection for the connector's host, in Cinder's connection_info shape: the local path, or an NBD export of its own. */
  async initializeConnection({ volume, connector }: ConnectionArgs): Promise<ConnectionInfo> {
    const { path } = this.#options.driver.connectionInfo(volume);
    const host = String(connector.host ?? '');
    const mode = connector.mode === 'ro' ? 'ro' : 'rw';
    const common = { volume_id: volume.id, access_mode: mode, format: 'raw' };
    const policy = this.#options.exports;
    if (policy === undefined || !exportsTo(policy, host)) {
      LOG.info(`Initialized connection of volume ${volume.id} for host ${host || '-'} (local path)`);
      return { driver_volume_type: 'file', data: { device_path: path, ...common } };
    }
    if (policy.target === undefined) throw new Error(`Host ${host} needs an NBD export of volume ${volume.id}, but qemu-storage-daemon is not installed on ${this.backendHost}`);
    const exported = await policy.target.ensureExport({ volumeId: volume.id, path, host, readOnly: mode === 'ro' });
    LOG.info(`Initialized connection of volume ${volume.id} for host ${host} (NBD at ${exported.address}:${exported.port})`);
    const data = { host: exported.address, port: exported.port, export_name: exported.exportName, psk_identity: exported.pskIdentity, psk_key: exported.pskKey };
    return { driver_volume_type: 'nbd', data: { ...data, ...common } };
  }

  /** Ends the host's export, if it had one (a local path needs nothing torn down). */
  async terminateConnection({ volume, connector }: ConnectionArgs): Promise<null> {
    const host = String(connector.host ?? '');
    await this.#options.exports?.target?.removeExport(volume.id, host);
    LOG.info(`Terminated connection of volume ${volume.id} for host ${host || '-'}`);
    return null;
  }

  async createSnapshot({ snapshot }: SnapshotArgs): Promise<void> {
    try {
      await this.#options.driver.createSnapshot(snapshot);
    } catch (error) {
      LOG.error(`Snapshot ${snapshot.id} of volume ${snapshot.volumeId} could not be created: ${messageOf(error)}`);
      await this.#options.status.snapshotUpdate(snapshot.id, { status: 'error', message: { action: 'SNAPSHOT_CREATE', detail: 'SNAPSHOT_CREATE_ERROR' } });
      return;
    }
    LOG.info(`Created snapshot ${snapshot.id} of volume ${snapshot.volumeId}`);
    await this.#options.status.snapshotUpdate(snapshot.id, { status: 'available', progress: '100%' });
  }

  async deleteSnapshot({ snapshot }: SnapshotArgs): Promise<void> {
    await this.#deleteSnapshotData(snapshot);
  }

  /** The snapshot's data and record gone (true), or the snapshot left in error_deleting. */
  async #deleteSnapshotData(snapshot: SnapshotRef): Promise<boolean> {
    try {
      await this.#options.driver.deleteSnapshot(snapshot);
    } catch (error) {
      LOG.error(`Snapshot ${snapshot.id} could not be deleted: ${messageOf(error)}`);
      await this.#options.status.snapshotUpdate(snapshot.id, { status: 'error_deleting' });
      return false;
    }
    LOG.info(`Deleted snapshot ${snapshot.id}`);
    await this.#options.status.snapshotDeleted(snapshot.id);
    return true;
  }
}
