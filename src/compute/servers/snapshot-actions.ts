/**
 * Nova's compute API snapshot, shelve, shelve_offload and unshelve. createImage and shelve
 * create the Glance image record first (queued), then claim their task state with a
 * compare-and-set — a lost race deletes the record again — and cast to the server's host.
 * Unshelve goes through the conductor, which schedules an offloaded server again.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import type { ImageRef } from '../../image/index.js';
import { checkImageMetadataQuota } from '../quotas/image-metadata-quota.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import { singleInstanceSpec, type RequestSpec } from '../scheduler/request-spec.js';
import type { ExpectedState, InstanceChanges } from '../db/instance-state-compare-and-set.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, isVolumeBacked, type ActionSupport } from './action-support.js';
import type { AvailabilityZoneNames } from './create-servers.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import type { Server } from './server.js';
import { createSnapshotRecord, discardSnapshotRecord, type ServerImageApi } from './snapshot-image.js';
import { snapshotVolumeBacked } from './volume-backed-snapshot.js';
import type { BlockDeviceStore } from '../db/bdm-store.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';

export interface SnapshotActionsDeps {
  readonly support: ActionSupport;
  readonly images: ServerImageApi;
  readonly quotas: QuotaManager;
  readonly availabilityZones: AvailabilityZoneNames;
  /** The availability zone a compute host is in (its aggregates', else the default). */
  readonly zoneOfHost: (host: string) => Promise<string>;
  readonly blockDevices: BlockDeviceStore;
  readonly volumes?: ComputeVolumeApi;
}

/** Where an offloaded server is unshelved to: 2.77's zone (2.91: null unpins it) and 2.91's host (an admin's). */
export interface UnshelveTarget {
  readonly availabilityZone?: string | null;
  readonly host?: string;
}

/** States a snapshot or a shelve may start from (Nova's check_instance_state on snapshot and shelve). */
const SNAPSHOT_FROM: ExpectedState = { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED], taskState: [null] };
const UNSHELVE_FROM: ExpectedState = { vmState: [VmState.SHELVED, VmState.SHELVED_OFFLOADED], taskState: [null] };

/** What createBackup asks for. */
export interface BackupRequest {
  readonly name: string;
  readonly backupType: string;
  /** How many backups of this type the server keeps. */
  readonly rotation: number;
  readonly metadata: Readonly<Record<string, string>>;
}

interface StoredFlavor {
  readonly swap?: number;
  readonly extra_specs?: Record<string, string>;
}

export class SnapshotActions {
  constructor(private readonly deps: SnapshotActionsDeps) {}

  /**
   * createImage: the snapshot image, queued, with the instance's properties; the agent uploads
   * into it. Before 2.39 the metadata counts against the metadata_items quota. A volume-backed
   * server's snapshot is its volumes' (volume-backed-snapshot.ts), made here with no task state
   * (Nova's snapshot_volume_backed takes no lock either).
   */
  async createImage(context: RequestContext, server: Server, name: string, metadata: Readonly<Record<string, string>>, checkQuota: boolean): Promise<ImageRef> {
    if (isVolumeBacked(server)) {
      // The driver makes no part of it: only the state is checked.
      await this.deps.support.requireState(server, 'createImage', SNAPSHOT_FROM);
      if (checkQuota) await checkImageMetadataQuota(this.deps.quotas, context, metadata);
      await this.deps.support.record(context, server.row.uuid, InstanceActionName.CREATE_IMAGE);
      return snapshotVolumeBacked(this.deps, context, server, name, metadata);
    }
    await this.deps.support.guard(context, server, 'createImage', SNAPSHOT_FROM);
    const host = hostOf(server);
    if (checkQuota) await checkImageMetadataQuota(this.deps.quotas, context, metadata);
    const image = await createSnapshotRecord(this.deps.images, context, server, name, metadata);
    await this.#claimWithImage(context, server, 'createImage', { task_state: TaskState.IMAGE_SNAPSHOT_PENDING }, image.id);
    await this.deps.support.record(context, server.row.uuid, InstanceActionName.CREATE_IMAGE);
    await this.deps.support.agents.cast(host, 'snapshot_instance', { instanceUuid: server.row.uuid, imageId: image.id });
    return image;
  }

  /**
   * createBackup: a snapshot image of type `backup` with its backup_type; the agent uploads into it
   * and then deletes the server's oldest backups of that type beyond `rotation`.
   */
  async createBackup(context: RequestContext, server: Server, backup: BackupRequest, checkQuota: boolean): Promise<ImageRef> {
    await this.deps.support.guard(context, server, 'createBackup', SNAPSHOT_FROM);
    // Nova's own refusal (InvalidRequest), not the 409 of what this cloud cannot do.
    if (isVolumeBacked(server)) throw new BadRequest('Backup is not supported for volume-backed instances.');
    const host = hostOf(server);
    if (checkQuota) await checkImageMetadataQuota(this.deps.quotas, context, backup.metadata);
    const properties = { ...backup.metadata, backup_type: backup.backupType, image_type: 'backup' };
    const image = await createSnapshotRecord(this.deps.images, context, server, backup.name, properties);
    await this.#claimWithImage(context, server, 'createBackup', { task_state: TaskState.IMAGE_BACKUP }, image.id);
    await this.deps.support.record(context, server.row.uuid, InstanceActionName.BACKUP);
    await this.deps.support.agents.cast(host, 'backup_instance', { instanceUuid: server.row.uuid, imageId: image.id, backupType: backup.backupType, rotation: backup.rotation });
    return image;
  }

  /** shelve: a snapshot named `<name>-shelved`, the guest off; the agent offloads per shelved_offload_time. */
  async shelve(context: RequestContext, server: Server): Promise<void> {
    await this.deps.support.guard(context, server, 'shelve', SNAPSHOT_FROM);
    const host = hostOf(server);
    if (isVolumeBacked(server)) {
      // Nova: its root volume keeps its disk, so no snapshot; the guest is offloaded at once.
      await this.deps.support.transition(context, server, 'shelve', SNAPSHOT_FROM, { task_state: TaskState.SHELVING });
      await this.deps.support.record(context, server.row.uuid, InstanceActionName.SHELVE);
      await this.deps.support.agents.cast(host, 'shelve_offload_instance', { instanceUuid: server.row.uuid, clean: true });
      return;
    }
    const image = await createSnapshotRecord(this.deps.images, context, server, `${server.row.display_name}-shelved`);
    await this.#claimWithImage(context, server, 'shelve', { task_state: TaskState.SHELVING }, image.id);
    await this.deps.support.record(context, server.row.uuid, InstanceActionName.SHELVE);
    await this.deps.support.agents.cast(host, 'shelve_instance', { instanceUuid: server.row.uuid, imageId: image.id, clean: true });
  }

  /** shelveOffload: a SHELVED server leaves its host now. */
  async shelveOffload(context: RequestContext, server: Server): Promise<void> {
    const expected: ExpectedState = { vmState: [VmState.SHELVED], taskState: [null] };
    await this.deps.support.guard(context, server, 'shelveOffload', expected);
    const host = hostOf(server);
    await this.deps.support.transition(context, server, 'shelveOffload', expected, { task_state: TaskState.SHELVING_OFFLOADING });
    await this.deps.support.record(context, server.row.uuid, InstanceActionName.SHELVE_OFFLOAD);
    await this.deps.support.agents.cast(host, 'shelve_offload_instance', { instanceUuid: server.row.uuid, clean: true });
  }

  /** unshelve, optionally into another zone (2.77; only for an offloaded server, which is scheduled again). */
  async unshelve(context: RequestContext, server: Server, target: UnshelveTarget = {}): Promise<void> {
    await this.deps.support.guard(context, server, 'unshelve', UNSHELVE_FROM);
    const { availabilityZone, host } = target;
    if (availabilityZone !== undefined || host !== undefined) {
      if (server.row.vm_state !== VmState.SHELVED_OFFLOADED) {
        throw new Conflict(
          `Specifying an availability zone or a host when unshelving server "${server.row.uuid}" with status "SHELVED" is not supported. The server status must be SHELVED_OFFLOADED.`,
        );
      }
      if (typeof availabilityZone === 'string' && !(await this.deps.availabilityZones()).includes(availabilityZone)) {
        throw new BadRequest('The requested availability zone is not available');
      }
    }
    // The zone the server is pinned to afterwards: the one asked for (null: none), else the one it had.
    const zone = availabilityZone === undefined ? server.row.requested_availability_zone : availabilityZone;
    if (host !== undefined) {
      if ((await this.deps.support.deps.nodes.match(host, undefined)) === undefined) throw new BadRequest(`Compute host ${host} could not be found.`);
      if (zone !== null && (await this.deps.zoneOfHost(host)) !== zone) throw new Conflict(`Host "${host}" is not in the availability zone "${zone}".`);
    }
    const spec = { ...(await this.#unshelveSpec(context, server, zone)), ...(host === undefined ? {} : { requestedDestination: { host } }) };
    const changes: InstanceChanges = { task_state: TaskState.UNSHELVING, ...(availabilityZone === undefined ? {} : { requested_availability_zone: availabilityZone }) };
    await this.deps.support.transition(context, server, 'unshelve', UNSHELVE_FROM, changes);
    await this.deps.support.record(context, server.row.uuid, InstanceActionName.UNSHELVE);
    await this.deps.support.conductor.unshelveInstance(server.row.uuid, spec);
  }

  /** A deleted shelved server's snapshot goes too (Nova's API _delete); a failure is logged, the delete goes on. */
  async deleteShelvedSnapshot(context: RequestContext, server: Server): Promise<void> {
    if (server.row.vm_state !== VmState.SHELVED && server.row.vm_state !== VmState.SHELVED_OFFLOADED) return;
    const imageId = (await this.deps.support.deps.store.systemMetadata(server.row.uuid))['shelved_image_id'];
    if (imageId !== undefined) await discardSnapshotRecord(this.deps.images, context, server, imageId);
  }

  /** The task state's compare-and-set; lost, the image created for it is deleted before the 409. */
  async #claimWithImage(context: RequestContext, server: Server, action: string, changes: InstanceChanges, imageId: string): Promise<void> {
    try {
      await this.deps.support.transition(context, server, action, SNAPSHOT_FROM, changes);
    } catch (error) {
      await discardSnapshotRecord(this.deps.images, context, server, imageId);
      throw error;
    }
  }

  /** What an offloaded server is scheduled with: its flavor, its shelve snapshot's properties, its zone and server group. */
  async #unshelveSpec(context: RequestContext, server: Server, zone: string | null): Promise<RequestSpec> {
    const { row } = server;
    const imageId = (await this.deps.support.deps.store.systemMetadata(row.uuid))['shelved_image_id'] ?? row.image_ref;
    const properties = imageId === '' ? {} : await this.deps.images.getImageForCompute(context, imageId).then(
      (image) => image.properties,
      (error: unknown) => {
        // A missing snapshot fails the unshelve on the host, with the fault Nova gives.
        if (error instanceof NimbusError && error.status === 404) return {};
        throw error;
      },
    );
    const stored = (JSON.parse(row.flavor) as { cur?: StoredFlavor } | null)?.cur ?? {};
    const group = await this.deps.support.deps.serverGroups.specOfInstance(row.uuid);
    const flavor = { vcpus: row.vcpus, memoryMb: row.memory_mb, rootGb: row.root_gb, ephemeralGb: row.ephemeral_gb, swapMb: stored.swap ?? 0, extraSpecs: stored.extra_specs ?? {} };
    return {
      ...singleInstanceSpec(row.uuid, row.project_id, flavor, { id: imageId, properties }),
      // A volume-backed server's root disk is its volume: no local disk is claimed for root_gb.
      ...(isVolumeBacked(server) ? { isBootFromVolume: true } : {}),
      ...(zone === null ? {} : { availabilityZone: zone }),
      ...(group === undefined ? {} : { serverGroup: group }),
    };
  }
}
