/**
 * The volume API's managers on a node (cinder-api's side): the store, types, quotas, and the
 * volume and snapshot services casting to the scheduler and the volume services on the bus.
 */
import type { NimbusConfig } from '../common/config/options.js';
import type { Database } from '../common/db/database.js';
import type { ServiceRegistry } from '../common/service/service-registry.js';
import type { BackupManagerRpcClient } from './backup/rpc-client.js';
import { AttachmentStore } from './db/attachment-store.js';
import { BackupStore } from './db/backup-store.js';
import { DefaultTypeStore } from './db/default-type-store.js';
import { GroupStore } from './db/group-store.js';
import { FrozenBackendStore } from './db/frozen-backend-store.js';
import { MessageStore } from './db/message-store.js';
import { QosSpecStore } from './db/qos-spec-store.js';
import { TypeEncryptionStore } from './db/type-encryption-store.js';
import { ProjectLockStore } from './db/project-lock-store.js';
import { QuotaClassStore } from './db/quota-class-store.js';
import { TypeAccessStore } from './db/type-access-store.js';
import { TransferStore } from './db/transfer-store.js';
import { VolumeStore } from './db/volume-store.js';
import type { VolumeManagerRpcClient } from './manager/rpc-client.js';
import type { VolumeSchedulerRpcClient } from './scheduler/rpc-client.js';
import { AttachmentService } from './volumes/attachment-service.js';
import { BackupService } from './volumes/backup-service.js';
import { GroupService } from './volumes/group-service.js';
import { GroupTypes } from './volumes/group-types.js';
import { SnapshotService } from './volumes/snapshot-service.js';
import { TransferService } from './volumes/transfer-service.js';
import { VolumeQuotas, type QuotaLimits } from './volumes/volume-quotas.js';
import { VolumeService, type VolumeImageLookup } from './volumes/volume-service.js';
import { VolumeTypes } from './volumes/volume-types.js';

export interface VolumeCore {
  readonly volumes: VolumeService;
  readonly snapshots: SnapshotService;
  readonly backups: BackupService;
  readonly attachments: AttachmentService;
  readonly transfers: TransferService;
  readonly types: VolumeTypes;
  readonly groupTypes: GroupTypes;
  readonly groups: GroupService;
  readonly quotas: VolumeQuotas;
  /** `[volume] storage_availability_zone`. */
  readonly availabilityZones: readonly string[];
  /** os-hosts: what each project holds on a backend host. */
  readonly hostUsage: Pick<VolumeStore, 'usageOnHost'>;
  /** scheduler-stats and capabilities ask the scheduler for its pools and backend reports. */
  readonly scheduler: Pick<VolumeSchedulerRpcClient, 'getPools' | 'getBackendReport'>;
  /** The user messages (/messages). */
  readonly messages: MessageStore;
  /** os-services freeze and thaw. */
  readonly frozenBackends: FrozenBackendStore;
  /** /qos-specs and their volume types. */
  readonly qosSpecs: QosSpecStore;
  /** /types/{id}/encryption. */
  readonly typeEncryption: TypeEncryptionStore;
}

export interface VolumeCoreDeps {
  readonly database: Database;
  readonly scheduler: VolumeSchedulerRpcClient;
  readonly managers: VolumeManagerRpcClient;
  readonly backupManagers: BackupManagerRpcClient;
  /** Which backup services are up (the services table). */
  readonly services: Pick<ServiceRegistry, 'list'>;
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
  const types = new VolumeTypes(store, new DefaultTypeStore(deps.database), new TypeAccessStore(deps.database), config.volume.default_volume_type);
  const backupStore = new BackupStore(deps.database);
  const groupStore = new GroupStore(deps.database);
  const quotas = new VolumeQuotas(store, quotaDefaultsOf(config), backupStore, new QuotaClassStore(deps.database), groupStore, new ProjectLockStore(deps.database));
  const availabilityZones = [config.volume.storage_availability_zone];
  const frozenBackends = new FrozenBackendStore(deps.database);
  const volumes = new VolumeService({ store, types, quotas, scheduler: deps.scheduler, managers: deps.managers, images: deps.images, availabilityZones, enableForceUpload: config.volume.enable_force_upload, frozenBackends });
  const snapshots = new SnapshotService(store, volumes, quotas, deps.managers);
  const backups = new BackupService({
    backups: backupStore,
    store,
    volumes,
    quotas,
    managers: deps.backupManagers,
    services: deps.services,
    availabilityZone: config.volume.storage_availability_zone,
  });
  const messages = new MessageStore(deps.database, config.volume.message_ttl);
  const attachments = new AttachmentService({ volumes, store, attachments: new AttachmentStore(deps.database), managers: deps.managers, messages });
  const transfers = new TransferService({ transfers: new TransferStore(deps.database), store, volumes, quotas });
  const groupTypes = new GroupTypes(groupStore, config.volume.default_group_type);
  const groups = new GroupService({ groups: groupStore, store, groupTypes, types, volumes, snapshots, quotas, availabilityZones });
  return { volumes, snapshots, backups, attachments, transfers, types, groupTypes, groups, quotas, availabilityZones, hostUsage: store, scheduler: deps.scheduler, messages, frozenBackends, qosSpecs: new QosSpecStore(deps.database), typeEncryption: new TypeEncryptionStore(deps.database) };
}
