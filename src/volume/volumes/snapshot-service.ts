/** Cinder's snapshot API: checks, the record, and a cast to the volume's own service. */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { SnapshotFilter, SnapshotSortKey, SortSpec, VolumeStore } from '../db/volume-store.js';
import type { VolumeManagerRpcClient } from '../manager/rpc-client.js';
import { invalidSnapshot, invalidVolume, snapshotNotFound } from './volume-errors.js';
import type { VolumeQuotas } from './volume-quotas.js';
import type { VolumeService } from './volume-service.js';
import { backendHostOf, type Snapshot, type SnapshotStatus } from './volume.js';

const LOG = getLogger('nimbus.volume.snapshots');

export interface CreateSnapshotRequest {
  readonly volumeId: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Snapshot an in-use volume too. */
  readonly force?: boolean;
  /** The group snapshot it is part of (its volume's status was checked with the whole group's). */
  readonly groupSnapshotId?: string;
}

/** The transitions os-update_snapshot_status allows (Cinder's status_map). */
const UPDATE_STATUS_MAP: Partial<Record<SnapshotStatus, readonly SnapshotStatus[]>> = {
  creating: ['creating', 'available', 'error'],
  deleting: ['deleting', 'error_deleting'],
};

export class SnapshotService {
  constructor(
    private readonly store: VolumeStore,
    private readonly volumes: VolumeService,
    private readonly quotas: VolumeQuotas,
    private readonly managers: Pick<VolumeManagerRpcClient, 'createSnapshot' | 'deleteSnapshot'>,
  ) {}

  async get(context: RequestContext, id: string): Promise<Snapshot> {
    const snapshot = await this.store.findSnapshot(id);
    if (snapshot === undefined || !(context.isAdmin === true || snapshot.projectId === context.projectId)) throw snapshotNotFound(id);
    return snapshot;
  }

  list(filter: SnapshotFilter, sort: readonly SortSpec<SnapshotSortKey>[]): Promise<Snapshot[]> {
    return this.store.listSnapshots(filter, sort);
  }

  async create(context: RequestContext, request: CreateSnapshotRequest): Promise<Snapshot> {
    const volume = await this.volumes.get(context, request.volumeId);
    await this.volumes.assertNotFrozen(volume);
    const allowed = volume.status === 'available' || (volume.status === 'in-use' && (request.force === true || request.groupSnapshotId !== undefined));
    if (!allowed || volume.host === null) {
      throw invalidVolume(`Volume ${volume.id} status must be available, but current status is: ${volume.status}.`);
    }
    const now = this.store.now();
    const snapshot: Snapshot = {
      id: randomUUID(),
      volumeId: volume.id,
      projectId: volume.projectId,
      userId: context.userId ?? '',
      name: request.name ?? null,
      description: request.description ?? null,
      size: volume.size,
      status: 'creating',
      progress: '0%',
      metadata: request.metadata ?? {},
      groupSnapshotId: request.groupSnapshotId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.quotas.exclusive(volume.projectId, async () => {
      await this.quotas.checkSnapshot(volume.projectId, volume.size, volume.volumeTypeId);
      await this.store.insertSnapshot(snapshot);
    });
    LOG.info(`Create snapshot request issued for snapshot ${snapshot.id} of volume ${volume.id}`);
    await this.managers.createSnapshot(backendHostOf(volume.host), { id: snapshot.id, volumeId: volume.id, sizeGb: volume.size });
    return snapshot;
  }

  async update(context: RequestContext, id: string, changes: { readonly name?: string | null; readonly description?: string | null }): Promise<Snapshot> {
    await this.get(context, id);
    await this.store.updateSnapshot(id, changes);
    return this.get(context, id);
  }

  async setMetadata(context: RequestContext, id: string, metadata: Readonly<Record<string, string>>, replace: boolean): Promise<Readonly<Record<string, string>>> {
    const snapshot = await this.get(context, id);
    const merged = replace ? { ...metadata } : { ...snapshot.metadata, ...metadata };
    await this.store.updateSnapshot(id, { metadata: merged });
    return merged;
  }

  async deleteMetadataKey(context: RequestContext, id: string, key: string): Promise<void> {
    const snapshot = await this.get(context, id);
    if (!(key in snapshot.metadata)) throw new NotFound('Metadata item was not found');
    const rest = Object.fromEntries(Object.entries(snapshot.metadata).filter(([name]) => name !== key));
    await this.store.updateSnapshot(id, { metadata: rest });
  }

  /**
   * A delete from available, error or error_deleting; `force` (os-force_delete, admin) from any
   * status. A snapshot of a group snapshot goes only with it (`ofGroupSnapshot`).
   */
  async delete(context: RequestContext, id: string, options: { readonly force?: boolean; readonly ofGroupSnapshot?: boolean } = {}): Promise<void> {
    const snapshot = await this.get(context, id);
    const volume = await this.store.findVolume(snapshot.volumeId);
    if (volume !== undefined) await this.volumes.assertNotFrozen(volume);
    const deletable: SnapshotStatus[] | undefined = options.force === true ? undefined : ['available', 'error', 'error_deleting'];
    if ((snapshot.groupSnapshotId !== null && options.ofGroupSnapshot !== true) || !(await this.store.updateSnapshot(id, { status: 'deleting' }, deletable))) {
      throw invalidSnapshot(`Snapshot status must be available or error and must not be part of a group.`);
    }
    if (volume?.host === null || volume === undefined) {
      await this.store.deleteSnapshot(id);
      return;
    }
    LOG.info(`Delete snapshot request issued for snapshot ${id}`);
    await this.managers.deleteSnapshot(backendHostOf(volume.host), { id, volumeId: snapshot.volumeId, sizeGb: snapshot.size });
  }

  /**
   * os-update_snapshot_status, for the driver that makes the snapshot: from creating to creating,
   * available or error; from deleting to deleting or error_deleting; with its progress.
   */
  async updateStatus(context: RequestContext, id: string, status: string, progress: string | undefined): Promise<void> {
    const snapshot = await this.get(context, id);
    const allowed = UPDATE_STATUS_MAP[snapshot.status];
    if (allowed === undefined) throw new BadRequest(`Snapshot status ${snapshot.status} not allowed for update_snapshot_status`);
    const next = allowed.find((candidate) => candidate === status);
    if (next === undefined) throw new BadRequest(`Provided snapshot status ${status} not allowed for snapshot with status ${snapshot.status}.`);
    if (!(await this.store.updateSnapshot(id, { status: next, ...(progress ? { progress } : {}) }, [snapshot.status]))) {
      throw new BadRequest(`Snapshot status ${snapshot.status} not allowed for update_snapshot_status`);
    }
  }

  /** os-reset_status of a snapshot (admin). */
  async resetStatus(context: RequestContext, id: string, status: SnapshotStatus): Promise<void> {
    await this.get(context, id);
    await this.store.updateSnapshot(id, { status });
  }
}
