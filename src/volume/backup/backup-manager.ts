/**
 * The backup service of one node (cinder-backup's BackupManager): listens on `cinder-backup` as
 * `[DEFAULT] host`, opens volumes through the volume drivers of this node's volume services (the
 * backup service runs beside them, as Cinder's does when it attaches volumes locally), moves their
 * bytes through its BackupDriver, and records the outcome in the backup's and the volume's rows
 * (Cinder's backup manager writes them too). It logs progress every `progressPercent`.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry, StopHeartbeat } from '../../common/service/service-registry.js';
import { GIB, type LocalDevice, type VolumeDriver } from '../backends/volume-driver.js';
import type { BackupStore } from '../db/backup-store.js';
import type { MessageStore } from '../db/message-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import { backendHostOf, type Volume } from '../volumes/volume.js';
import type { BackupDriver, RestoredBackup } from './drivers/backup-driver.js';
import { BACKUP_API_VERSION, BACKUP_TOPIC, type BackupArgs, type BackupManagerVerbs, type ImportRecordArgs, type RestoreBackupArgs } from './rpc-api.js';

const LOG = getLogger('nimbus.volume.backup');

export const BACKUP_BINARY = 'cinder-backup';

export interface BackupManagerOptions {
  readonly transport: Transport;
  readonly driver: BackupDriver;
  /** `[DEFAULT] host`. */
  readonly host: string;
  readonly backups: BackupStore;
  readonly volumes: VolumeStore;
  /** Where a failed backup or restore is told to the user. */
  readonly messages: Pick<MessageStore, 'record'>;
  /** The volume drivers of this node's volume services, by `host@backend`. */
  readonly volumeDrivers: ReadonlyMap<string, VolumeDriver>;
  readonly registry: Pick<ServiceRegistry, 'register' | 'startHeartbeat'>;
  readonly reportIntervalMs?: number;
  /** `[backup] progress_percent`: an INFO line each time this much more is done. */
  readonly progressPercent?: number;
  /** How long a restore waits for its new volume to leave `creating`, ms. */
  readonly volumeReadyTimeoutMs?: number;
}

type Handlers = { readonly [K in keyof BackupManagerVerbs]: (args: BackupManagerVerbs[K]) => Promise<void> };

export class BackupManager {
  readonly #options: BackupManagerOptions;
  readonly #server: RpcServer;
  #stopHeartbeat: StopHeartbeat | undefined;

  constructor(options: BackupManagerOptions) {
    this.#options = options;
    const handlers: Handlers = {
      create_backup: (args) => this.createBackup(args),
      restore_backup: (args) => this.restoreBackup(args),
      delete_backup: (args) => this.deleteBackup(args),
      import_record: (args) => this.importRecord(args),
    };
    this.#server = new RpcServer(options.transport, { topic: BACKUP_TOPIC, server: options.host, version: BACKUP_API_VERSION }, handlers);
  }

  async start(): Promise<void> {
    const { driver, registry, host } = this.#options;
    await driver.setUp();
    await this.#server.start();
    const service = await registry.register({ binary: BACKUP_BINARY, host, topic: BACKUP_TOPIC });
    this.#stopHeartbeat = registry.startHeartbeat(service.id, this.#options.reportIntervalMs ?? 10_000);
    LOG.info(`Backup service ${host} started (${driver.serviceName})`);
  }

  async stop(): Promise<void> {
    await this.#server.stop();
    await this.#stopHeartbeat?.();
  }

  async createBackup({ backupId }: BackupArgs): Promise<void> {
    const { backups, volumes, driver } = this.#options;
    const backup = await backups.findBackup(backupId);
    const volume = backup === undefined ? undefined : await volumes.findVolume(backup.volumeId);
    if (backup === undefined || volume === undefined) {
      LOG.error(`Backup ${backupId} or its volume is gone; nothing backed up`);
      return;
    }
    const kind = backup.parentId === null ? 'full' : `incremental to ${backup.parentId}`;
    LOG.info(`Creating ${kind} backup ${backup.id} of volume ${volume.id}${backup.snapshotId === null ? '' : ` (snapshot ${backup.snapshotId})`}`);
    try {
      const result = await this.#withDevice(volume, backup.snapshotId, async (device) => {
        const sizeBytes = volume.size * GIB;
        const progress = this.#progress(`Backup ${backup.id}`, sizeBytes);
        return driver.createBackup({
          backupId: backup.id,
          volumeId: volume.id,
          sourcePath: device.path,
          sizeBytes,
          ...(backup.parentId === null ? {} : { parentId: backup.parentId }),
          ...(backup.container === null ? {} : { container: backup.container }),
          volumeMetadata: volume.metadata,
          // Cinder's _save_vol_glance_meta keeps image metadata only when there is some.
          ...(volume.imageMetadata === null || Object.keys(volume.imageMetadata).length === 0 ? {} : { imageMetadata: volume.imageMetadata }),
          onProgress: progress,
        });
      });
      await backups.updateBackup(backup.id, { status: 'available', objectCount: result.objectCount, container: result.container, service: driver.serviceName, failReason: null });
      LOG.info(`Created backup ${backup.id} of volume ${volume.id}: ${result.objectCount} objects, ${result.storedBytes} bytes stored`);
    } catch (error) {
      LOG.error(`Backup ${backup.id} of volume ${volume.id} failed: ${messageOf(error)}`);
      // The message first: whoever sees the error status finds it.
      await this.#options.messages.record({ action: 'BACKUP_CREATE', detail: 'BACKUP_CREATE_DRIVER_ERROR', resourceType: 'VOLUME_BACKUP', resourceUuid: backup.id });
      await backups.updateBackup(backup.id, { status: 'error', failReason: messageOf(error) });
    } finally {
      await this.#releaseSource(volume.id, backup.snapshotId);
    }
  }

  async restoreBackup({ backupId, volumeId }: RestoreBackupArgs): Promise<void> {
    const { backups, volumes, driver } = this.#options;
    const backup = await backups.findBackup(backupId);
    if (backup === undefined) {
      LOG.error(`Backup ${backupId} is gone; volume ${volumeId} not restored`);
      await volumes.updateVolume(volumeId, { status: 'error_restoring', errorReason: `Backup ${backupId} is gone` }, ['restoring-backup']);
      return;
    }
    const volume = await this.#volumeReadyForRestore(volumeId);
    if (volume === undefined) {
      LOG.error(`Volume ${volumeId} did not become available for the restore of backup ${backupId}`);
      await backups.updateBackup(backupId, { status: 'available', restoreVolumeId: null }, ['restoring']);
      return;
    }
    LOG.info(`Restoring backup ${backupId} to volume ${volumeId}`);
    let restored: RestoredBackup;
    try {
      const { container } = backup;
      if (container === null) throw new Error(`Backup ${backupId} has no container: it stored nothing`);
      restored = await this.#withDevice(volume, null, (device) => driver.restoreBackup({ backupId, container, targetPath: device.path, onProgress: this.#progressOf(`Restore of backup ${backupId}`) }));
    } catch (error) {
      // Never a silent success: the target is marked, the reason logged once and kept on the volume.
      LOG.error(`Restore of backup ${backupId} to volume ${volumeId} failed: ${messageOf(error)}`);
      await this.#options.messages.record({ action: 'BACKUP_RESTORE', detail: 'BACKUP_RESTORE_ERROR', resourceType: 'VOLUME_BACKUP', resourceUuid: backupId });
      await volumes.updateVolume(volumeId, { status: 'error_restoring', errorReason: messageOf(error) }, ['restoring-backup']);
      await backups.updateBackup(backupId, { status: 'available', restoreVolumeId: null }, ['restoring']);
      return;
    }
    // Cinder's _restore_vol_meta: the backed-up metadata replaces the target's; _restore_vol_glance_meta:
    // so does the image metadata, and the volume is bootable (a backup without any changes neither).
    const metadata = restored.volumeMetadata === null ? {} : { metadata: restored.volumeMetadata };
    const image = restored.imageMetadata === null ? {} : { imageMetadata: restored.imageMetadata, bootable: true };
    await volumes.updateVolume(volumeId, { status: 'available', errorReason: null, ...metadata, ...image }, ['restoring-backup']);
    await backups.updateBackup(backupId, { status: 'available', restoreVolumeId: null }, ['restoring']);
    LOG.info(`Restored backup ${backupId} to volume ${volumeId}`);
  }

  /**
   * An imported record (written by the API, creating) becomes available when this service runs
   * the driver that wrote it; its data is where the record's container says.
   */
  async importRecord({ backupId, backupService }: ImportRecordArgs): Promise<void> {
    const { backups, driver } = this.#options;
    if (backupService !== driver.serviceName) {
      const reason = `Import record failed, cannot find backup service to perform the import. Request service ${backupService}.`;
      LOG.error(`Backup ${backupId}: ${reason}`);
      await backups.updateBackup(backupId, { status: 'error', failReason: reason }, ['creating']);
      return;
    }
    await backups.updateBackup(backupId, { status: 'available', service: driver.serviceName, failReason: null }, ['creating']);
    LOG.info(`Imported backup record ${backupId}`);
  }

  async deleteBackup({ backupId }: BackupArgs): Promise<void> {
    const { backups, driver } = this.#options;
    try {
      // No container: a backup into the driver's own that failed while creating stored nothing (a named one may hold a part: the driver removes it).
      const container = (await backups.findBackup(backupId))?.container;
      if (container !== undefined && container !== null) await driver.deleteBackup(container, backupId);
    } catch (error) {
      LOG.error(`Backup ${backupId} could not be deleted: ${messageOf(error)}`);
      await backups.updateBackup(backupId, { status: 'error_deleting', failReason: messageOf(error) });
      return;
    }
    await backups.deleteBackup(backupId);
    LOG.info(`Deleted backup ${backupId}`);
  }

  /** The volume's (or its snapshot's) device from its own volume service's driver on this node, released afterwards. */
  async #withDevice<T>(volume: Volume, snapshotId: string | null, use: (device: LocalDevice) => Promise<T>): Promise<T> {
    const backendHost = volume.host === null ? undefined : backendHostOf(volume.host);
    const volumeDriver = backendHost === undefined ? undefined : this.#options.volumeDrivers.get(backendHost);
    if (volumeDriver === undefined) throw new Error(`Volume ${volume.id} is on ${volume.host ?? 'no backend'}, which has no volume service on ${this.#options.host}`);
    const ref = { id: volume.id, sizeGb: volume.size };
    const device = snapshotId === null ? await volumeDriver.openVolumeDevice(ref) : await volumeDriver.openSnapshotDevice({ id: snapshotId, volumeId: volume.id, sizeGb: volume.size });
    try {
      return await use(device);
    } finally {
      await device.release();
    }
  }

  /** After a backup its source goes back to what it was: a snapshot to available; a volume to in-use when attached, else available. */
  async #releaseSource(volumeId: string, snapshotId: string | null): Promise<void> {
    const { volumes } = this.#options;
    if (snapshotId !== null) {
      await volumes.updateSnapshot(snapshotId, { status: 'available' }, ['backing-up']);
      return;
    }
    const volume = await volumes.findVolume(volumeId);
    if (volume === undefined) return;
    await volumes.updateVolume(volumeId, { status: volume.attachStatus === 'attached' ? 'in-use' : 'available' }, ['backing-up']);
  }

  /** The target once it may be written: a new volume is waited for until it leaves `creating`, then taken from available. */
  async #volumeReadyForRestore(volumeId: string): Promise<Volume | undefined> {
    const { volumes } = this.#options;
    const deadline = Date.now() + (this.#options.volumeReadyTimeoutMs ?? 600_000);
    for (;;) {
      const volume = await volumes.findVolume(volumeId);
      if (volume === undefined) return undefined;
      if (volume.status === 'restoring-backup') return volume;
      if (volume.status === 'available') {
        return (await volumes.updateVolume(volumeId, { status: 'restoring-backup' }, ['available'])) ? { ...volume, status: 'restoring-backup' } : undefined;
      }
      if (volume.status !== 'creating' || Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #progress(what: string, totalBytes: number): (doneBytes: number) => void {
    const report = this.#progressOf(what);
    return (done) => report(done, totalBytes);
  }

  /** A reporter that logs once each time another `progressPercent` of the work is done. */
  #progressOf(what: string): (doneBytes: number, totalBytes: number) => void {
    const step = this.#options.progressPercent ?? 10;
    let next = step;
    return (done, total) => {
      const percent = total === 0 ? 100 : (done / total) * 100;
      if (percent < next) return;
      LOG.info(`${what}: ${Math.floor(percent)}% (${done} of ${total} bytes)`);
      while (next <= percent) next += step;
    };
  }
}
