/**
 * Cinder's volume API (cinder/volume/api.py): checks what a request asks, writes the record and
 * casts the work — creates and extends to the scheduler, deletes to the volume's own service. It
 * never waits on a backend: the caller polls the volume's status.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, messageOf, NimbusError, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { GIB } from '../backends/volume-driver.js';
import type { FrozenBackendStore } from '../db/frozen-backend-store.js';
import type { SortSpec, VolumeFilter, VolumeSortKey, VolumeStore } from '../db/volume-store.js';
import type { UploadDiskFormat, VolumeSource } from '../manager/rpc-api.js';
import type { VolumeManagerRpcClient } from '../manager/rpc-client.js';
import type { VolumeSchedulerRpcClient } from '../scheduler/rpc-client.js';
import { frozenBackend, imageNotFound, invalidInput, invalidVolume, snapshotNotFound, volumeNotFound } from './volume-errors.js';
import type { VolumeQuotas } from './volume-quotas.js';
import type { VolumeTypes } from './volume-types.js';
import { backendHostOf, VOLUME_STATUSES, type SnapshotStatus, type Volume, type VolumeStatus } from './volume.js';

const LOG = getLogger('nimbus.volume.api');

/** What the volume service needs of an image: Glance's record, read as the caller. */
export interface VolumeImageRecord {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  readonly size: number | null;
  readonly checksum: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly visibility: ImageVisibility;
  readonly protected: boolean;
}

export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

/** A queued image for a volume's data, in Glance's terms (absent visibility: Glance's default). */
export interface VolumeImageCreate {
  readonly name: string;
  readonly disk_format: UploadDiskFormat;
  readonly container_format: string;
  readonly min_disk: number;
  readonly visibility?: ImageVisibility;
  readonly protected?: boolean;
  readonly properties: Readonly<Record<string, string>>;
}

/** What the volume API needs of the image service, as the caller. */
export interface VolumeImageLookup {
  getImage(context: RequestContext, id: string): Promise<VolumeImageRecord>;
  createImage(context: RequestContext, image: VolumeImageCreate): Promise<VolumeImageRecord>;
  deleteImage(context: RequestContext, id: string): Promise<void>;
}

/** os-volume_upload_image's request; visibility and protected come from 3.1 on. */
export interface UploadToImageRequest {
  readonly imageName: string;
  readonly force: boolean;
  readonly diskFormat: UploadDiskFormat;
  readonly containerFormat: string;
  readonly visibility?: ImageVisibility;
  readonly protected?: boolean;
}

export interface CreateVolumeRequest {
  readonly size?: number;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly volumeType?: string;
  readonly availabilityZone?: string;
  readonly snapshotId?: string;
  readonly sourceVolid?: string;
  readonly imageRef?: string;
  readonly multiattach?: boolean;
  /** The group it goes into (`group_id`), as the caller found it. */
  readonly group?: { readonly id: string; readonly volumeTypeIds: readonly string[] };
}

export interface VolumeServiceDeps {
  readonly store: VolumeStore;
  readonly types: VolumeTypes;
  readonly quotas: VolumeQuotas;
  readonly scheduler: Pick<VolumeSchedulerRpcClient, 'createVolume' | 'extendVolume' | 'retypeVolume'>;
  readonly managers: Pick<VolumeManagerRpcClient, 'deleteVolume' | 'reimageVolume' | 'copyVolumeToImage' | 'createSnapshot' | 'deleteSnapshot'>;
  readonly images: VolumeImageLookup;
  /** `[volume] storage_availability_zone`: the zones volumes may ask for. */
  readonly availabilityZones: readonly string[];
  /** `[volume] enable_force_upload`: whether an upload's `force` lets an in-use volume go. */
  readonly enableForceUpload: boolean;
  readonly frozenBackends: Pick<FrozenBackendStore, 'isFrozen'>;
}

/** Statuses a volume may be deleted from without force (Cinder's delete). */
const DELETABLE: readonly VolumeStatus[] = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
/** The snapshots a cascading delete takes along. */
const CASCADE_DELETABLE_SNAPSHOTS: readonly SnapshotStatus[] = ['available', 'error'];

export class VolumeService {
  constructor(private readonly deps: VolumeServiceDeps) {}

  /** The volume if the caller may see it (an admin sees all; others their project's); 404 otherwise. */
  async get(context: RequestContext, id: string): Promise<Volume> {
    const volume = await this.deps.store.findVolume(id);
    if (volume === undefined || !(context.isAdmin === true || volume.projectId === context.projectId)) throw volumeNotFound(id);
    return volume;
  }

  list(filter: VolumeFilter, sort: readonly SortSpec<VolumeSortKey>[]): Promise<Volume[]> {
    return this.deps.store.listVolumes(filter, sort);
  }

  async create(context: RequestContext, request: CreateVolumeRequest): Promise<Volume> {
    const { store, types, quotas } = this.deps;
    const projectId = context.projectId ?? '';
    const snapshot = request.snapshotId === undefined ? undefined : await store.findSnapshot(request.snapshotId);
    if (request.snapshotId !== undefined && (snapshot === undefined || !(context.isAdmin === true || snapshot.projectId === projectId))) {
      throw snapshotNotFound(request.snapshotId);
    }
    const source = request.sourceVolid === undefined ? undefined : await this.get(context, request.sourceVolid);
    const parent = snapshot === undefined ? source : await store.findVolume(snapshot.volumeId);

    const size = request.size ?? snapshot?.size ?? source?.size;
    if (size === undefined || !Number.isInteger(size) || size <= 0) {
      throw invalidInput(`Volume size '${String(size ?? request.size)}' must be an integer and greater than 0`);
    }
    let volumeSource: VolumeSource = { kind: 'blank' };
    let imageMetadata: Record<string, string> | null = null;
    if (snapshot !== undefined) {
      if (snapshot.status !== 'available') throw new BadRequest(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
      if (size < snapshot.size) {
        throw invalidInput(`Volume size ${size}GB cannot be smaller than the snapshot size ${snapshot.size}GB. They must be >= original snapshot size.`);
      }
      volumeSource = { kind: 'snapshot', snapshot: { id: snapshot.id, volumeId: snapshot.volumeId, sizeGb: snapshot.size } };
    } else if (source !== undefined) {
      if (source.status !== 'available' && source.status !== 'in-use') throw invalidVolume('Unable to clone volumes that are in an error state');
      if (size < source.size) {
        throw invalidInput(`Volume size ${size}GB cannot be smaller than original volume size ${source.size}GB. They must be >= original volume size.`);
      }
      volumeSource = { kind: 'volume', volume: { id: source.id, sizeGb: source.size } };
    } else if (request.imageRef !== undefined) {
      const image = await this.#imageFitting(context, request.imageRef, size);
      volumeSource = { kind: 'image', imageId: image.id, diskFormat: image.disk_format ?? 'raw' };
      imageMetadata = imageMetadataOf(image);
    }

    const type = parent !== undefined && request.volumeType === undefined ? await types.get(parent.volumeTypeId) : await types.resolveFor(context, request.volumeType);
    const { group } = request;
    if (group !== undefined && request.volumeType === undefined && parent === undefined) throw invalidInput('volume_type must be provided when creating a volume in a group.');
    if (group !== undefined && !group.volumeTypeIds.includes(type.id)) {
      throw invalidInput(`Invalid volume_type provided: ${type.name} (requested type must be supported by this group).`);
    }
    const zone = request.availabilityZone ?? parent?.availabilityZone ?? this.deps.availabilityZones[0] ?? 'nova';
    if (!this.deps.availabilityZones.includes(zone)) throw invalidInput(`Availability zone '${zone}' is invalid.`);
    if (parent !== undefined && zone !== parent.availabilityZone) throw invalidInput('Volume must be in the same availability zone as the source volume or snapshot');
    const now = store.now();
    const volume: Volume = {
      id: randomUUID(),
      projectId,
      userId: context.userId ?? '',
      name: request.name ?? null,
      description: request.description ?? null,
      size,
      status: 'creating',
      attachStatus: 'detached',
      host: null,
      availabilityZone: zone,
      volumeTypeId: type.id,
      // Cinder's _handle_bootable_volume_glance_meta: a clone of a bootable volume, or a volume from
      // a snapshot of one, is bootable and keeps its image metadata.
      bootable: parent?.bootable ?? false,
      // Cinder's _is_multiattach: the type's extra spec; the request's own flag is the deprecated way.
      multiattach: request.multiattach === true || type.extraSpecs['multiattach'] === '<is> True',
      snapshotId: snapshot?.id ?? null,
      sourceVolid: source?.id ?? null,
      metadata: request.metadata ?? {},
      imageMetadata: parent?.bootable === true ? parent.imageMetadata : imageMetadata,
      adminMetadata: {},
      groupId: group?.id ?? null,
      errorReason: null,
      launchedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await quotas.exclusive(projectId, async () => {
      await quotas.checkVolume(projectId, size, { newVolume: true, totalSizeGb: size, volumeTypeId: type.id });
      await store.insertVolume(volume);
    });
    LOG.info(`Create volume request issued for volume ${volume.id} (${size}GB, type ${type.name}, from ${volumeSource.kind})`);
    await this.deps.scheduler.createVolume(
      { volumeId: volume.id, sizeGb: size, availabilityZone: zone, extraSpecs: type.extraSpecs, ...(parent?.host ? { onlyBackend: parent.host } : {}) },
      volumeSource,
    );
    return volume;
  }

  async update(context: RequestContext, id: string, changes: { readonly name?: string | null; readonly description?: string | null; readonly metadata?: Readonly<Record<string, string>> }): Promise<Volume> {
    await this.get(context, id);
    await this.deps.store.updateVolume(id, changes);
    return this.get(context, id);
  }

  /** Metadata: `replace` sets exactly these keys (PUT), otherwise they are merged in (POST). */
  async setMetadata(context: RequestContext, id: string, metadata: Readonly<Record<string, string>>, replace: boolean): Promise<Readonly<Record<string, string>>> {
    const volume = await this.get(context, id);
    const merged = replace ? { ...metadata } : { ...volume.metadata, ...metadata };
    await this.deps.store.updateVolume(id, { metadata: merged });
    return merged;
  }

  async deleteMetadataKey(context: RequestContext, id: string, key: string): Promise<void> {
    const volume = await this.get(context, id);
    if (!(key in volume.metadata)) throw new NotFound('Metadata item was not found');
    const rest = Object.fromEntries(Object.entries(volume.metadata).filter(([name]) => name !== key));
    await this.deps.store.updateVolume(id, { metadata: rest });
  }

  /**
   * `force` (os-force_delete) from any status but deleting; `cascade` takes the volume's snapshots
   * with it when each is available or error (Cinder's volume_has_undeletable_snapshots_filter).
   */
  async delete(context: RequestContext, id: string, options: { readonly force?: boolean; readonly cascade?: boolean; readonly ofGroup?: boolean } = {}): Promise<void> {
    const volume = await this.get(context, id);
    // A group's volume goes only with its group (delete-volumes) or once removed from it.
    const inGroup = volume.groupId !== null && options.ofGroup !== true;
    const snapshots = await this.deps.store.listSnapshots({ volumeId: id }, []);
    if (snapshots.length > 0 && options.cascade !== true) throw invalidVolume(`Volume still has ${snapshots.length} dependent snapshots.`);
    if (volume.attachStatus === 'attached') throw invalidVolume('Volume must not be attached to be deleted.');
    const expected = options.force === true ? VOLUME_STATUSES.filter((status) => status !== 'deleting') : DELETABLE;
    const refused = () =>
      invalidVolume(
        `Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
      );
    if (inGroup || snapshots.some((snapshot) => !CASCADE_DELETABLE_SNAPSHOTS.includes(snapshot.status))) throw refused();
    await this.assertNotFrozen(volume);
    if (!(await this.deps.store.updateVolume(id, { status: 'deleting' }, expected))) throw refused();
    for (const snapshot of snapshots) await this.deps.store.updateSnapshot(snapshot.id, { status: 'deleting' });
    if (volume.host === null) {
      // Never placed (no backend took it): nothing to remove but the record.
      await this.deps.store.deleteVolume(id);
      LOG.info(`Deleted volume ${id}, which had no backend`);
      return;
    }
    LOG.info(`Delete volume request issued for volume ${id}${snapshots.length > 0 ? ` with its ${snapshots.length} snapshots` : ''}`);
    const snapshotRefs = snapshots.map((snapshot) => ({ id: snapshot.id, volumeId: id, sizeGb: snapshot.size }));
    await this.deps.managers.deleteVolume(backendHostOf(volume.host), { id, sizeGb: volume.size }, snapshotRefs);
  }

  /** Cinder's assert_not_frozen: 400 when the volume's backend is frozen (a volume with no backend has none). */
  async assertNotFrozen(volume: Pick<Volume, 'host'>): Promise<void> {
    if (volume.host !== null && (await this.deps.frozenBackends.isFrozen(backendHostOf(volume.host)))) throw frozenBackend();
  }

  /**
   * os-extend: the scheduler checks the backend's room, then its service grows the volume. An
   * in-use volume (3.42) goes back to in-use and its instances are told; `attachedInstances` are
   * those the caller found holding it (none: the volume must be available).
   */
  async extend(context: RequestContext, id: string, newSize: number, attachedInstances?: readonly string[]): Promise<void> {
    const { quotas, store } = this.deps;
    const from: readonly VolumeStatus[] = attachedInstances === undefined ? ['available'] : ['available', 'in-use'];
    const allowed = from.map((status) => `'${status}'`).join(' or ');
    const { projectId } = await this.get(context, id);
    // Cinder reserves the growth here and commits or rolls it back at the end: the check and the
    // reservation (the status `extending` with its gigabytes) are one step under the project's lock.
    const volume = await quotas.exclusive(projectId, async () => {
      const current = await this.get(context, id);
      if (!from.includes(current.status)) {
        throw invalidVolume(`Volume ${id} status must be ${allowed} to extend, currently ${current.status}.`);
      }
      if (newSize <= current.size) {
        throw invalidInput(`New size for extend must be greater than current size. (current: ${current.size}, extended: ${newSize}).`);
      }
      await quotas.checkVolume(projectId, newSize - current.size, { newVolume: false, totalSizeGb: newSize, volumeTypeId: current.volumeTypeId });
      if (!(await store.updateVolume(id, { status: 'extending', errorReason: null, extendingGb: newSize - current.size }, [current.status]))) {
        throw invalidVolume(`Volume ${id} status must be ${allowed} to extend, currently ${(await this.get(context, id)).status}.`);
      }
      return current;
    });
    const type = await this.deps.types.get(volume.volumeTypeId).catch(() => undefined);
    const instances = volume.status === 'in-use' ? (attachedInstances ?? []) : [];
    LOG.info(`Extend volume request issued for volume ${id} (${volume.size}GB → ${newSize}GB${instances.length > 0 ? ', in use' : ''})`);
    await this.deps.scheduler.extendVolume({ volumeId: id, sizeGb: newSize - volume.size, extraSpecs: type?.extraSpecs ?? {} }, newSize, instances);
  }

  /**
   * os-reimage (3.68): the volume rewritten from the image on its backend. An available or error
   * volume, or with `reimageReserved` one reserved for a rebuild (Nova's); `instanceUuids` are
   * those whose attachments hold it, told when it is done. The image is checked before the
   * status moves (Cinder checks it after, leaving a volume `downloading` on a bad image).
   */
  async reimage(context: RequestContext, id: string, imageId: string, reimageReserved: boolean, instanceUuids: readonly string[]): Promise<void> {
    const volume = await this.get(context, id);
    if (instanceUuids.length > 1) throw new Conflict('Cannot re-image a volume which is attached to more than one server.');
    const from: readonly VolumeStatus[] = reimageReserved ? ['available', 'error', 'reserved'] : ['available', 'error'];
    const mismatch = (status: string) => invalidVolume(`Volume ${id} status must be ${from.join(' or ')}, but current status is ${status}.`);
    if (!from.includes(volume.status)) throw mismatch(volume.status);
    const image = await this.#imageFitting(context, imageId, volume.size);
    if (volume.host === null || !(await this.deps.store.updateVolume(id, { status: 'downloading', errorReason: null }, [volume.status]))) {
      throw mismatch((await this.get(context, id)).status);
    }
    LOG.info(`Reimage volume request issued for volume ${id} (image ${image.id})`);
    await this.deps.managers.reimageVolume(backendHostOf(volume.host), {
      volume: { id, sizeGb: volume.size },
      imageId: image.id,
      diskFormat: image.disk_format ?? 'raw',
      imageMetadata: imageMetadataOf(image),
      previousStatus: volume.status,
      instanceUuids,
    });
  }

  /**
   * os-volume_upload_image (Cinder's copy_volume_to_image): an available volume, or with `force`
   * (when `[volume] enable_force_upload` allows it) an in-use one, goes to `uploading`; a queued image is made for it as the caller, carrying the
   * volume's image metadata beyond Glance's core properties; the volume's service fills it and
   * puts the volume back. The image's failure puts the volume back at once. The volume as it was,
   * and the image.
   */
  async uploadToImage(context: RequestContext, id: string, request: UploadToImageRequest): Promise<{ volume: Volume; image: VolumeImageRecord }> {
    const volume = await this.get(context, id);
    const force = request.force && this.deps.enableForceUpload;
    if (request.force && !force) LOG.info(`Force upload to image is disabled, Force option will be ignored (volume ${id})`);
    const from: readonly VolumeStatus[] = force ? ['available', 'in-use'] : ['available'];
    if (volume.host === null || !(await this.deps.store.updateVolume(id, { status: 'uploading' }, from))) {
      throw invalidVolume(`Volume ${id} status must be ${from.join(' or ')}`);
    }
    const previousStatus = volume.status;
    const putBack = () => this.deps.store.updateVolume(id, { status: previousStatus }, ['uploading']);
    let image: VolumeImageRecord;
    try {
      image = await this.deps.images.createImage(context, {
        name: request.imageName,
        disk_format: request.diskFormat,
        container_format: request.containerFormat,
        // The image holds the whole volume: a smaller disk cannot take it.
        min_disk: volume.size,
        ...(request.visibility === undefined ? {} : { visibility: request.visibility }),
        ...(request.protected === undefined ? {} : { protected: request.protected }),
        properties: carriedImageProperties(volume.imageMetadata ?? {}),
      });
    } catch (error) {
      await putBack();
      // Cinder's API answers any failure of the image service's create as a 400 with its message.
      throw error instanceof NimbusError && error.status < 500 ? new BadRequest(error.message) : error;
    }
    try {
      await this.deps.managers.copyVolumeToImage(backendHostOf(volume.host), {
        volume: { id, sizeGb: volume.size },
        image: { id: image.id, diskFormat: request.diskFormat },
        previousStatus,
      });
    } catch (error) {
      await putBack();
      await this.deps.images.deleteImage(context, image.id).catch((cause: unknown) => LOG.warning(`Image ${image.id} of a refused upload could not be deleted: ${messageOf(cause)}`));
      throw error;
    }
    LOG.info(`Upload volume request issued for volume ${id} (image ${image.id}, ${request.diskFormat}${previousStatus === 'in-use' ? ', in use' : ''})`);
    return { volume, image };
  }

  /** Cinder's check_image_metadata: an active image whose data and min_disk fit `sizeGb`. */
  async #imageFitting(context: RequestContext, imageId: string, sizeGb: number): Promise<VolumeImageRecord> {
    const image = await this.deps.images.getImage(context, imageId).catch((error: unknown) => {
      throw error instanceof NimbusError && error.status === 404 ? imageNotFound(imageId) : error;
    });
    if (image.status !== 'active') throw invalidInput(`Image ${image.id} is not active.`);
    const imageGb = Math.ceil((image.size ?? 0) / GIB);
    if (imageGb > sizeGb) throw invalidInput(`Size of specified image ${imageGb}GB is larger than volume size ${sizeGb}GB.`);
    if (image.min_disk > sizeGb) throw invalidInput(`Volume size ${sizeGb}GB cannot be smaller than the image minDisk size ${image.min_disk}GB.`);
    return image;
  }

  /** os-reset_status (admin): the record only, nothing on the backend. */
  async resetStatus(context: RequestContext, id: string, status: string | undefined, attachStatus: string | undefined): Promise<void> {
    await this.get(context, id);
    if (status !== undefined && !(VOLUME_STATUSES as readonly string[]).includes(status)) throw invalidInput(`Invalid status '${status}'`);
    if (attachStatus !== undefined && attachStatus !== 'attached' && attachStatus !== 'detached') throw invalidInput(`Invalid attach status '${attachStatus}'`);
    await this.deps.store.updateVolume(id, {
      ...(status === undefined ? {} : { status: status as VolumeStatus }),
      ...(attachStatus === undefined ? {} : { attachStatus }),
    });
    LOG.info(`Reset status of volume ${id} to ${status ?? '-'} / ${attachStatus ?? '-'}`);
  }

  async setBootable(context: RequestContext, id: string, bootable: boolean): Promise<void> {
    const volume = await this.get(context, id);
    if (volume.status !== 'available' && volume.status !== 'in-use') throw invalidVolume('Volume status must be available or in-use.');
    await this.deps.store.updateVolume(id, { bootable });
  }

  /** os-update_readonly_flag: the `readonly` admin metadata ("True"/"False"), of an available volume. */
  async setReadonly(context: RequestContext, id: string, readonly: boolean): Promise<void> {
    const volume = await this.get(context, id);
    const adminMetadata = { ...volume.adminMetadata, readonly: readonly ? 'True' : 'False' };
    if (!(await this.deps.store.updateVolume(id, { adminMetadata }, ['available']))) {
      throw invalidVolume(`Volume ${id} status must be available to update readonly flag, but current status is: ${volume.status}.`);
    }
  }

  /** os-set_image_metadata: merged into the volume's image metadata; the whole of it after. */
  async setImageMetadata(context: RequestContext, id: string, metadata: Readonly<Record<string, string>>): Promise<Readonly<Record<string, string>>> {
    const volume = await this.get(context, id);
    if (volume.status === 'maintenance' || volume.status === 'uploading') throw invalidVolume(`Volume status is ${volume.status}.`);
    const merged = { ...(volume.imageMetadata ?? {}), ...metadata };
    await this.deps.store.updateVolume(id, { imageMetadata: merged });
    return merged;
  }

  /** os-unset_image_metadata: one key of the image metadata; a key it lacks is 404. */
  async unsetImageMetadata(context: RequestContext, id: string, key: string): Promise<void> {
    const volume = await this.get(context, id);
    const current = volume.imageMetadata ?? {};
    if (!(key in current)) throw new NotFound('The key cannot be found.');
    if (volume.status === 'maintenance' || volume.status === 'uploading') throw invalidVolume(`Volume status is ${volume.status}.`);
    await this.deps.store.updateVolume(id, { imageMetadata: Object.fromEntries(Object.entries(current).filter(([name]) => name !== key)) });
  }

  /**
   * os-retype: available or in-use → retyping, and the scheduler checks the volume's backend
   * against the new type; the volume goes back to its status with the new type, or with the old
   * one and a reason when the backend does not fit (moving it to another is not offered).
   */
  async retype(context: RequestContext, id: string, newType: string, migrationPolicy: MigrationPolicy): Promise<void> {
    const volume = await this.get(context, id);
    const type = await this.deps.types.resolve(newType);
    if (type.id === volume.volumeTypeId) throw invalidInput('New volume type must be different from the original volume type.');
    const { quotas, store } = this.deps;
    const from: readonly VolumeStatus[] = ['available', 'in-use'];
    // The new type's resources are reserved here (the status `retyping` with its target), checked under the project's lock.
    const retyped = await quotas.exclusive(volume.projectId, async () => {
      const current = await this.get(context, id);
      const snapshots = await store.listSnapshots({ volumeId: id }, []);
      await quotas.checkRetype(current.projectId, type.id, {
        sizeGb: current.size,
        snapshots: snapshots.length,
        snapshotGb: snapshots.reduce((total, snapshot) => total + snapshot.size, 0),
      });
      const movable = from.includes(current.status) && current.host !== null;
      if (!movable || !(await store.updateVolume(id, { status: 'retyping', errorReason: null, retypingTypeId: type.id }, [current.status]))) {
        throw invalidVolume(
          'Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.',
        );
      }
      return current;
    });
    LOG.info(`Retype volume request issued for volume ${id} (to type ${type.name}, migration policy ${migrationPolicy})`);
    await this.deps.scheduler.retypeVolume({ volumeId: id, sizeGb: 0, extraSpecs: type.extraSpecs }, { newTypeId: type.id, previousStatus: retyped.status, migrationPolicy });
  }
}

/** Cinder's retype migration_policy: `never` keeps the volume on its backend, `on-demand` may move it. */
export type MigrationPolicy = 'never' | 'on-demand';

/** Cinder's glance_core_properties: Glance's own attributes, never carried from a volume to its image. */
const GLANCE_CORE_PROPERTIES: ReadonlySet<string> = new Set(['checksum', 'container_format', 'disk_format', 'image_name', 'image_id', 'min_disk', 'min_ram', 'name', 'size']);
/** Cinder's GLANCE_RESERVED_NAMESPACES: properties only Glance sets. */
const GLANCE_RESERVED_NAMESPACES = ['os_glance', 'img_signature'];

/** Cinder's _merge_volume_image_meta and filter_out_reserved_namespaces_metadata: what an uploaded image inherits. */
function carriedImageProperties(imageMetadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(imageMetadata).filter(([key]) => !GLANCE_CORE_PROPERTIES.has(key) && !GLANCE_RESERVED_NAMESPACES.some((namespace) => key.startsWith(namespace))),
  );
}

/** Cinder's volume_image_metadata of a volume made from an image. */
function imageMetadataOf(image: VolumeImageRecord): Record<string, string> {
  const fields: Record<string, string | number | null> = {
    image_id: image.id,
    image_name: image.name,
    disk_format: image.disk_format,
    container_format: image.container_format,
    checksum: image.checksum,
    size: image.size,
    min_disk: image.min_disk,
    min_ram: image.min_ram,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string | number] => entry[1] !== null).map(([key, value]) => [key, String(value)]));
}
