/**
 * Composition of the volume workers: the scheduler (with the database) and one volume service per
 * backend driver, on a bus transport. `nimbus up` and `nimbus serve volume` start them beside the
 * API; the drivers are chosen by the caller (cli/presets).
 */
import type { Transport } from '../common/bus/index.js';
import type { Database } from '../common/db/database.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import type { VolumeDriver } from './backends/volume-driver.js';
import { BackupManager } from './backup/backup-manager.js';
import type { BackupDriver } from './backup/drivers/backup-driver.js';
import { BackupManagerRpcClient } from './backup/rpc-client.js';
import { BackupStore } from './db/backup-store.js';
import { FrozenBackendStore } from './db/frozen-backend-store.js';
import { MessageStore } from './db/message-store.js';
import type { ComputeNotifier } from './compute/nova-client.js';
import { VolumeStore } from './db/volume-store.js';
import { VolumeManagerRpcClient } from './manager/rpc-client.js';
import { VolumeManager, type VolumeImageSource } from './manager/volume-manager.js';
import { VolumeSchedulerRpcClient } from './scheduler/rpc-client.js';
import type { VolumeExportPolicy } from './targets/target-protocol.js';
import { VolumeSchedulerService } from './scheduler/scheduler-service.js';

export interface VolumeWorkersOptions {
  readonly database: Database;
  readonly transport: Transport;
  readonly drivers: readonly VolumeDriver[];
  /** The backup service's driver; it runs beside the volume services and opens their volumes. */
  readonly backupDriver: BackupDriver;
  /** `[backup] progress_percent`. */
  readonly backupProgressPercent?: number;
  /** `[DEFAULT] host`. */
  readonly host: string;
  readonly availabilityZone: string;
  readonly images: VolumeImageSource;
  /** Where the volume services stage image data. */
  readonly stagingDir: string;
  readonly rpcTimeoutSeconds?: number;
  /** Compute's events API, told when an attached volume grew. */
  readonly compute?: ComputeNotifier;
  readonly reportIntervalMs?: number;
  /** How compute hosts reach the volumes; its target recovers the exports of an earlier run before the services start. */
  readonly exports?: VolumeExportPolicy;
  readonly reservedPercentage?: number;
  readonly maxOverSubscriptionRatio?: number;
  /** `[volume] message_ttl`, seconds. */
  readonly messageTtlSeconds?: number;
  /** `[volume] message_reap_interval`, in ms. */
  readonly messageReapIntervalMs?: number;
}

export interface VolumeWorkers {
  readonly scheduler: VolumeSchedulerService;
  readonly managers: readonly VolumeManager[];
  readonly backup: BackupManager;
  /** For the volume API: creates and extends go to the scheduler. */
  readonly schedulerClient: VolumeSchedulerRpcClient;
  /** For the volume API: deletes and snapshots go to the volume's service. */
  readonly managerClient: VolumeManagerRpcClient;
  /** For the volume API: backups, restores and their deletes go to the backup service. */
  readonly backupClient: BackupManagerRpcClient;
  stop(): Promise<void>;
}

/** Starts the scheduler, then the volume services (which report to it at start), then the backup service. */
export async function startVolumeWorkers(options: VolumeWorkersOptions): Promise<VolumeWorkers> {
  const { transport, database } = options;
  const timeout = options.rpcTimeoutSeconds ?? 60;
  const registry = new ServiceRegistry(database);
  const schedulerClient = new VolumeSchedulerRpcClient(transport, timeout);
  const managerClient = new VolumeManagerRpcClient(transport, timeout);
  const intervals = options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs };
  const messages = new MessageStore(database, options.messageTtlSeconds);
  const scheduler = new VolumeSchedulerService({
    transport,
    store: new VolumeStore(database),
    messages,
    managers: managerClient,
    registry,
    frozenBackends: new FrozenBackendStore(database),
    host: options.host,
    ...intervals,
    ...(options.messageReapIntervalMs === undefined ? {} : { messageReapIntervalMs: options.messageReapIntervalMs }),
  });
  await scheduler.start();
  const managers: VolumeManager[] = [];
  let backup: BackupManager | undefined;
  const stop = async () => {
    await backup?.stop();
    for (const manager of managers) await manager.stop();
    await scheduler.stop();
  };
  try {
    await options.exports?.target?.recover();
    for (const driver of options.drivers) {
      const manager = new VolumeManager({
        transport,
        driver,
        host: options.host,
        availabilityZone: options.availabilityZone,
        status: schedulerClient,
        images: options.images,
        stagingDir: options.stagingDir,
        registry,
        ...(options.compute === undefined ? {} : { compute: options.compute }),
        ...(options.exports === undefined ? {} : { exports: options.exports }),
        ...intervals,
        ...(options.reservedPercentage === undefined ? {} : { reservedPercentage: options.reservedPercentage }),
        ...(options.maxOverSubscriptionRatio === undefined ? {} : { maxOverSubscriptionRatio: options.maxOverSubscriptionRatio }),
      });
      await manager.start();
      managers.push(manager);
    }
    const started = new BackupManager({
      transport,
      driver: options.backupDriver,
      host: options.host,
      backups: new BackupStore(database),
      volumes: new VolumeStore(database),
      messages,
      volumeDrivers: new Map(managers.map((manager, index) => [manager.backendHost, options.drivers[index] as VolumeDriver])),
      registry,
      ...intervals,
      ...(options.backupProgressPercent === undefined ? {} : { progressPercent: options.backupProgressPercent }),
    });
    await started.start();
    backup = started;
  } catch (error) {
    await stop();
    throw error;
  }
  return { scheduler, managers, backup, schedulerClient, managerClient, backupClient: new BackupManagerRpcClient(transport, timeout), stop };
}
