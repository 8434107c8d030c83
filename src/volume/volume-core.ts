/**
 * The volume API's managers on a node (cinder-api's side): the store, types, quotas, and the
 * volume and snapshot services casting to the scheduler and the volume services on the bus.
 */
import type { NimbusConfig } from '../common/config/options.js';
import type { Database } from '../common/db/database.js';
import { AttachmentStore } from './db/attachment-store.js';
import { VolumeStore } from './db/volume-store.js';
import type { VolumeManagerRpcClient } from './manager/rpc-client.js';
import type { VolumeSchedulerRpcClient } from './scheduler/rpc-client.js';
import { AttachmentService } from './volumes/attachment-service.js';
import { SnapshotService } from './volumes/snapshot-service.js';
import { VolumeQuotas, type QuotaLimits } from './volumes/volume-quotas.js';
import { VolumeService, type VolumeImageLookup } from './volumes/volume-service.js';
import { VolumeTypes } from './volumes/volume-types.js';

export interface VolumeCore {
  readonly volumes: VolumeService;
  readonly snapshots: SnapshotService;
  readonly attachments: AttachmentService;
  readonly types: VolumeTypes;
  readonly quotas: VolumeQuotas;
  readonly availabilityZones: readonly string[];
}

export interface VolumeCoreDeps {
  readonly database: Database;
  readonly scheduler: VolumeSchedulerRpcClient;
  readonly managers: VolumeManagerRpcClient;
  readonly images: VolumeImageLookup;
}

export function quotaDefaultsOf(config: NimbusConfig): QuotaLimits {
  const { volume } = config;
  return {
    volumes: volume.quota_volumes,
    snapshots: volume.quota_snapshots,
    gigabytes: volume.quota_gigabytes,
    backups: volume.quota_backups,
    backup_gigabytes: volume.quota_backup_gigabytes,
    groups: 10,
    per_volume_gigabytes: volume.per_volume_size_limit,
  };
}

export function createVolumeCore(deps: VolumeCoreDeps, config: NimbusConfig): VolumeCore {
  const store = new VolumeStore(deps.database);
  const types = new VolumeTypes(store, config.volume.default_volume_type);
  const quotas = new VolumeQuotas(store, quotaDefaultsOf(config));
  const availabilityZones = [config.volume.storage_availability_zone];
  const volumes = new VolumeService({ store, types, quotas, scheduler: deps.scheduler, managers: deps.managers, images: deps.images, availabilityZones });
  const snapshots = new SnapshotService(store, volumes, quotas, deps.managers);
  const attachments = new AttachmentService({ volumes, store, attachments: new AttachmentStore(deps.database), managers: deps.managers });
  return { volumes, snapshots, attachments, types, quotas, availabilityZones };
}
