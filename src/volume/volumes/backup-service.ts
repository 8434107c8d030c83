/**
 * Cinder's backup API (cinder/backup/api.py): checks a backup, restore or delete asks for, writes
 * the records (the backup's and its volume's status) and casts the work to the backup service of
 * the volume's node. It never waits: a restore into a new volume casts at once, and the backup
 * service waits for that volume to be made.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { BackupManagerRpcClient } from '../backup/rpc-client.js';
import type { BackupFilter, BackupSortKey, BackupStore } from '../db/backup-store.js';
import type { SortSpec, VolumeStore } from '../db/volume-store.js';
import type { Backup, BackupView } from './backup.js';
import { decodeBackupRecord, encodeBackupRecord } from './backup-record.js';
import { backupNotFound, invalidBackup, invalidSnapshot, invalidVolume } from './volume-errors.js';
import type { VolumeQuotas } from './volume-quotas.js';
import type { VolumeService } from './volume-service.js';

const LOG = getLogger('nimbus.volume.backups');

export interface CreateBackupRequest {
  readonly volumeId: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly incremental?: boolean;
  /** Back up an in-use volume too. */
  readonly force?: boolean;
  readonly snapshotId?: string;
  /** Where the backup driver keeps it (Cinder's container); absent or empty: the driver's own. */
  readonly container?: string | null;
}

export interface RestoreRequest {
  /** An existing volume to restore into; absent: a new one of the backup's size. */
  readonly volumeId?: string;
  /** The new volume's name. */
  readonly name?: string;
}

/** Cinder's answer to a restore. */
export interface RestoreResult {
  readonly backupId: string;
  readonly volumeId: string;
  readonly volumeName: string | null;
}

export interface BackupServiceDeps {
  readonly backups: BackupStore;
  readonly store: VolumeStore;
  readonly volumes: VolumeService;
  readonly quotas: VolumeQuotas;
  readonly managers: Pick<BackupManagerRpcClient, 'createBackup' | 'restoreBackup' | 'deleteBackup' | 'importRecord'>;
  /** Whether a backup service is up on a node. */
  readonly services: Pick<ServiceRegistry, 'list'>;
  /** The zone backups are kept in (the node's storage_availability_zone). */
  readonly availabilityZone: string;
}

/** The node part of `host@backend#pool`: where the volume's backup service runs. */
function nodeOf(volumeHost: string): string {
  const at = volumeHost.indexOf('@');
  return at < 0 ? volumeHost : volumeHost.slice(0, at);
}

export class BackupService {
  constructor(private readonly deps: BackupServiceDeps) {}

  /** The backup if the caller may see it (an admin sees all, others their project's); 404 otherwise. */
  async get(context: RequestContext, id: string): Promise<BackupView> {
    const backup = await this.deps.backups.findBackupView(id);
    if (backup === undefined || !(context.isAdmin === true || backup.projectId === context.projectId)) throw backupNotFound(id);
    return backup;
  }

  list(filter: BackupFilter, sort: readonly SortSpec<BackupSortKey>[]): Promise<BackupView[]> {
    return this.deps.backups.listBackups(filter, sort);
  }

  async create(context: RequestContext, request: CreateBackupRequest): Promise<Backup> {
    const { backups, store, quotas } = this.deps;
    const volume = await this.deps.volumes.get(context, request.volumeId);
    const snapshot = request.snapshotId === undefined ? undefined : await store.findSnapshot(request.snapshotId);
    if (request.snapshotId !== undefined) {
      if (snapshot === undefined || !(context.isAdmin === true || snapshot.projectId === context.projectId)) throw new NotFound(`Snapshot ${request.snapshotId} could not be found.`);
      if (snapshot.volumeId !== volume.id) throw invalidVolume(`Volume ${volume.id} does not match with snapshot.volume_id ${snapshot.volumeId}.`);
    }
    if (volume.status !== 'available' && volume.status !== 'in-use') {
      throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${volume.status}".`);
    }
    if (volume.status === 'in-use' && snapshot === undefined && request.force !== true) throw invalidVolume('Backing up an in-use volume must use the force flag.');
    if (snapshot !== undefined && snapshot.status !== 'available') {
      throw invalidSnapshot(`Snapshot to be backed up must be available, but the current status is "${snapshot.status}".`);
    }
    const host = await this.#backupHostFor(volume.host);
    let parentId: string | null = null;
    if (request.incremental === true) {
      const parent = await backups.latestAvailableBackupOf(volume.id);
      if (parent === undefined) throw invalidBackup('No backups available to do an incremental backup.');
      parentId = parent.id;
    }

    const now = backups.now();
    const backup: Backup = {
      id: randomUUID(),
      projectId: volume.projectId,
      userId: context.userId ?? '',
      volumeId: volume.id,
      snapshotId: snapshot?.id ?? null,
      parentId,
      name: request.name ?? null,
      description: request.description ?? null,
      size: volume.size,
      status: 'creating',
      failReason: null,
      availabilityZone: this.deps.availabilityZone,
      container: request.container === undefined || request.container === '' ? null : request.container,
      host,
      service: null,
      objectCount: 0,
      restoreVolumeId: null,
      dataTimestamp: snapshot?.createdAt ?? now,
      createdAt: now,
      updatedAt: now,
    };
    // The quota check, the source's claim and the insert under the project's lock, so concurrent backups cannot pass the limit together.
    await quotas.exclusive(volume.projectId, async () => {
      await quotas.checkBackup(volume.projectId, volume.size);
      // The source is claimed with a compare-and-set, so a second backup or a delete racing this one loses.
      const claimed =
        snapshot === undefined
          ? await store.updateVolume(volume.id, { status: 'backing-up' }, [volume.status])
          : await store.updateSnapshot(snapshot.id, { status: 'backing-up' }, ['available']);
      if (!claimed && snapshot !== undefined) throw invalidSnapshot('Snapshot to be backed up must be available.');
      if (!claimed) throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${(await store.findVolume(volume.id))?.status ?? 'deleted'}".`);
      await backups.insertBackup(backup);
    });
    LOG.info(`Create backup request issued for backup ${backup.id} of volume ${volume.id}${parentId === null ? '' : ` (incremental to ${parentId})`}`);
    await this.deps.managers.createBackup(host, backup.id);
    return backup;
  }

  async delete(context: RequestContext, id: string): Promise<void> {
    const { backups } = this.deps;
    const backup = await this.get(context, id);
    if (backup.hasDependentBackups) throw invalidBackup('Incremental backups exist for this backup.');
    if (!(await backups.updateBackup(id, { status: 'deleting' }, ['available', 'error']))) throw invalidBackup('Backup status must be available or error');
    // An incremental made after the check above would lose its parent: put the backup back and refuse.
    if ((await backups.countDependents(id)) > 0) {
      await backups.updateBackup(id, { status: backup.status }, ['deleting']);
      throw invalidBackup('Incremental backups exist for this backup.');
    }
    LOG.info(`Delete backup request issued for backup ${id}`);
    await this.deps.managers.deleteBackup(backup.host, id);
  }

  async restore(context: RequestContext, id: string, request: RestoreRequest): Promise<RestoreResult> {
    const { backups, store } = this.deps;
    const backup = await this.get(context, id);
    if (backup.status !== 'available') throw invalidBackup('Backup status must be available');
    let volumeId: string;
    let volumeName: string | null;
    if (request.volumeId === undefined) {
      await this.#backupHostFor(backup.host);
      // Claim the backup first: the new volume is made only for a restore that will happen.
      if (!(await backups.updateBackup(id, { status: 'restoring' }, ['available']))) throw invalidBackup('Backup status must be available');
      LOG.info(`Creating volume of ${backup.size} GB for restore of backup ${id}.`);
      let volume;
      try {
        volume = await this.deps.volumes.create(context, { size: backup.size, name: request.name ?? `restore_backup_${id}`, description: 'auto-created_from_restore_from_backup' });
      } catch (error) {
        await backups.updateBackup(id, { status: 'available' }, ['restoring']);
        throw error;
      }
      volumeId = volume.id;
      volumeName = volume.name;
    } else {
      const volume = await this.deps.volumes.get(context, request.volumeId);
      if (volume.status !== 'available') throw invalidVolume('Volume to be restored to must be available');
      if (backup.size > volume.size) throw invalidVolume(`volume size ${volume.size} is too small to restore backup of size ${backup.size}.`);
      await this.#backupHostFor(backup.host);
      if (!(await backups.updateBackup(id, { status: 'restoring' }, ['available']))) throw invalidBackup('Backup status must be available');
      if (!(await store.updateVolume(volume.id, { status: 'restoring-backup' }, ['available']))) {
        await backups.updateBackup(id, { status: 'available' }, ['restoring']);
        throw invalidVolume('Volume to be restored to must be available');
      }
      volumeId = volume.id;
      volumeName = volume.name;
    }
    await backups.updateBackup(id, { restoreVolumeId: volumeId });
    LOG.info(`Restore backup request issued for backup ${id} to volume ${volumeId}`);
    await this.deps.managers.restoreBackup(backup.host, id, volumeId);
    return { backupId: id, volumeId, volumeName };
  }

  /** Update (3.9): the name and description only. */
  async update(context: RequestContext, id: string, changes: { readonly name?: string | null; readonly description?: string | null }): Promise<BackupView> {
    await this.get(context, id);
    await this.deps.backups.updateBackup(id, changes);
    return this.get(context, id);
  }

  /** os-reset_status (admin): the record only, to available or error; nothing on the backup's data. */
  async resetStatus(context: RequestContext, id: string, status: 'available' | 'error'): Promise<void> {
    await this.get(context, id);
    await this.deps.backups.updateBackup(id, { status });
    LOG.info(`Reset status of backup ${id} to ${status}`);
  }

  /** export_record: the driver that wrote an available backup and its record, to import it back. */
  async exportRecord(context: RequestContext, id: string): Promise<{ readonly backupService: string; readonly backupUrl: string }> {
    const backup = await this.get(context, id);
    if (backup.status !== 'available') throw invalidBackup(`Backup status must be available and not ${backup.status}.`);
    LOG.info(`Exported the record of backup ${id}`);
    return { backupService: backup.service ?? '', backupUrl: encodeBackupRecord(backup) };
  }

  /**
   * import_record: the record goes in as the importer's project's backup, creating, and the backup
   * service of the record's node makes it available once it runs the named driver. An id already
   * taken is refused.
   */
  async importRecord(context: RequestContext, backupService: string, backupUrl: string): Promise<Backup> {
    const { backups } = this.deps;
    const fields = decodeBackupRecord(backupUrl);
    if ((await backups.findBackup(fields.id)) !== undefined) throw invalidBackup('Backup already exists in database.');
    const host = await this.#backupHostFor(fields.host);
    const now = backups.now();
    const backup: Backup = {
      ...fields,
      projectId: context.projectId ?? '',
      userId: context.userId ?? '',
      host,
      status: 'creating',
      failReason: null,
      service: backupService,
      restoreVolumeId: null,
      createdAt: now,
      updatedAt: now,
    };
    await backups.insertBackup(backup);
    LOG.info(`Import backup record request issued for backup ${backup.id} (${backupService}, container ${String(fields.container)})`);
    await this.deps.managers.importRecord(host, backup.id, backupService);
    return backup;
  }

  /** The backup service of the volume's node when it is up (Cinder's ServiceNotFound otherwise). */
  async #backupHostFor(volumeHost: string | null): Promise<string> {
    const node = volumeHost === null ? undefined : nodeOf(volumeHost);
    const services = node === undefined ? [] : await this.deps.services.list({ binary: 'cinder-backup', host: node });
    const service = services.find((each) => each.up && !each.disabled);
    if (node === undefined || service === undefined) throw new NotFound('Service cinder-backup could not be found.');
    return node;
  }
}
