/**
 * The servers' volume attachments (Nova's compute/api.py attach_volume / detach_volume and the
 * os-volume_attachments views): the API checks the server, reserves the volume in Cinder (an
 * attachment without a connector), records the block device mapping and the instance action,
 * and casts to the server's host, which connects, hot-plugs and completes. It never waits on the
 * hypervisor: the volume's status in Cinder tells the caller when it is in use.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NotFound, NotImplemented, ServiceUnavailable } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { BlockDeviceStore } from '../db/bdm-store.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { hostOf, type ActionSupport } from '../servers/action-support.js';
import type { Server } from '../servers/server.js';
import { VmState } from '../state/vm-states.js';
import { nextDeviceName, type BlockDeviceMapping } from './block-device.js';
import type { ComputeVolumeApi } from './volume-api.js';

const LOG = getLogger('nimbus.compute.api');

/** Nova's check_instance_state for attach and detach (task state none). */
const VOLUME_STATES = {
  vmState: [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED, VmState.RESIZED, VmState.SOFT_DELETED, VmState.SHELVED],
  taskState: [null],
} as const;

/** Nova's check_instance_state for swap_volume. */
const SWAP_STATES = { vmState: [VmState.ACTIVE, VmState.PAUSED, VmState.RESIZED], taskState: [null] } as const;

export interface AttachRequest {
  readonly volumeId: string;
  /** The device the caller asked for; Nova's libvirt driver picks its own, but a malformed one is still 400. */
  readonly device?: string | null;
  readonly tag?: string;
  readonly deleteOnTermination?: boolean;
  /** Multiattach volumes from 2.60. */
  readonly multiattachAllowed: boolean;
}

/** The 2.85 update body: the view's fields, of which only deleteOnTermination may differ. */
export interface AttachmentUpdate {
  readonly id?: string;
  readonly serverId?: string;
  readonly device?: string | null;
  readonly tag?: string;
  readonly deleteOnTermination?: boolean;
}

export interface VolumeAttachmentsDeps {
  readonly support: ActionSupport;
  readonly blockDevices: BlockDeviceStore;
  /** The volume API (absent on a node configured without one: attach is 503). */
  readonly volumes?: ComputeVolumeApi;
}

export const volumeNotAttached = (volumeId: string) => new NotFound(`No volume Block Device Mapping with id ${volumeId}.`);

export class VolumeAttachments {
  constructor(private readonly deps: VolumeAttachmentsDeps) {}

  /** The server's volume mappings in attachment order. */
  async list(server: Server): Promise<BlockDeviceMapping[]> {
    return (await this.deps.blockDevices.ofInstance(server.row.uuid)).filter((mapping) => mapping.volumeId !== null && mapping.destinationType === 'volume');
  }

  async show(server: Server, volumeId: string): Promise<BlockDeviceMapping> {
    const mapping = await this.deps.blockDevices.findVolume(server.row.uuid, volumeId);
    if (mapping === undefined) throw new NotFound(`Instance ${server.row.uuid} is not attached.`);
    return mapping;
  }

  async attach(context: RequestContext, server: Server, request: AttachRequest): Promise<BlockDeviceMapping> {
    const { support, blockDevices } = this.deps;
    const volumes = this.#volumes();
    await support.guard(context, server, 'attach_volume', VOLUME_STATES);
    if (request.device !== undefined && request.device !== null && !/^\/dev\/[a-z]+[a-z0-9]*$/.test(request.device)) {
      throw new BadRequest(`The supplied device path (${request.device}) is invalid.`);
    }
    const uuid = server.row.uuid;
    const host = hostOf(server);
    const volume = await volumes.get(context, request.volumeId);
    if (volume.multiattach && !request.multiattachAllowed) throw new BadRequest('Multiattach volumes are only supported starting with compute API version 2.60.');
    const existing = await blockDevices.ofInstance(uuid);
    if (existing.some((mapping) => mapping.volumeId === volume.id)) throw new BadRequest(`Invalid volume: volume ${volume.id} already attached`);
    const device = nextDeviceName([server.row.root_device_name ?? '/dev/vda', ...existing.map((mapping) => mapping.deviceName)]);
    // Cinder's reserve refuses a volume that is not available (or in use and not multiattach): its 400 is the caller's.
    const attachment = await volumes.attachmentCreate(context, volume.id, uuid);
    const mapping = {
      instanceUuid: uuid,
      sourceType: 'volume',
      destinationType: 'volume',
      deviceName: device,
      bootIndex: null,
      imageId: null,
      snapshotId: null,
      volumeId: volume.id,
      volumeSize: volume.size,
      deleteOnTermination: request.deleteOnTermination ?? false,
      attachmentId: attachment.id,
      tag: request.tag ?? null,
      connectionInfo: null,
    };
    let bdmUuid: string;
    try {
      bdmUuid = await blockDevices.insert(mapping);
      await support.record(context, uuid, InstanceActionName.ATTACH_VOLUME);
      await support.agents.cast(host, 'attach_volume', { instanceUuid: uuid, volumeId: volume.id, attachmentId: attachment.id, mountpoint: device });
    } catch (error) {
      await blockDevices.delete(uuid, volume.id);
      await volumes.attachmentDelete(context, attachment.id);
      throw error;
    }
    LOG.info(`Attaching volume ${volume.id} at ${device}`, { instance: uuid });
    return { ...mapping, id: 0, uuid: bdmUuid, createdAt: new Date() };
  }

  /** Nova's _update_volume_regular (2.85): only delete_on_termination changes; the other fields must repeat what the mapping holds. */
  async update(server: Server, volumeId: string, changes: AttachmentUpdate): Promise<BlockDeviceMapping> {
    const mapping = await this.deps.blockDevices.findVolume(server.row.uuid, volumeId);
    if (mapping === undefined) throw volumeNotAttached(volumeId);
    if (changes.id !== undefined && changes.id !== volumeId) throw new BadRequest('The id property is not mutable');
    if (changes.serverId !== undefined && changes.serverId !== server.row.uuid) throw new BadRequest('The serverId property is not mutable');
    if (changes.device !== undefined && changes.device !== mapping.deviceName) throw new BadRequest('The device property is not mutable');
    if (changes.tag !== undefined && changes.tag !== mapping.tag) throw new BadRequest('The tag property is not mutable');
    if (changes.deleteOnTermination === undefined) return mapping;
    await this.deps.blockDevices.update(server.row.uuid, volumeId, { deleteOnTermination: changes.deleteOnTermination });
    return { ...mapping, deleteOnTermination: changes.deleteOnTermination };
  }

  /**
   * Nova's _update_volume_swap and swap_volume up to the swap, which is not offered: their refusals
   * in Nova's order (the old volume unknown 404, the new one 400, a locked or wrong-state server
   * 409, volumes that cannot swap 400), then 501.
   */
  async swap(context: RequestContext, server: Server, oldVolumeId: string, newVolumeId: string): Promise<never> {
    const volumes = this.#volumes();
    const oldVolume = await volumes.get(context, oldVolumeId);
    // The new volume is named in the body, so its absence is the request's fault (400), as Nova.
    const newVolume = await volumes.get(context, newVolumeId).catch((error: unknown) => {
      throw error instanceof NotFound ? new BadRequest(error.message) : error;
    });
    await this.deps.support.guard(context, server, 'swap_volume', SWAP_STATES);
    if (!oldVolume.attachments.some((attachment) => attachment.server_id === server.row.uuid)) {
      throw new BadRequest('Invalid volume: Old volume is attached to a different instance.');
    }
    if (newVolume.attachments.length > 0) throw new BadRequest('Invalid volume: New volume must be detached in order to swap.');
    if (newVolume.size < oldVolume.size) throw new BadRequest('Invalid volume: New volume must be the same size or larger.');
    throw new NotImplemented('Swapping the volume of an attachment is not supported.');
  }

  async detach(context: RequestContext, server: Server, volumeId: string): Promise<void> {
    const { support, blockDevices } = this.deps;
    const volumes = this.#volumes();
    await support.guard(context, server, 'detach_volume', VOLUME_STATES);
    const uuid = server.row.uuid;
    const mapping = await blockDevices.findVolume(uuid, volumeId);
    if (mapping === undefined) throw volumeNotAttached(volumeId);
    if (mapping.bootIndex === 0) throw new BadRequest('Cannot detach a root device volume');
    if (mapping.attachmentId === null) throw new Conflict(`Volume ${volumeId} is still being attached to instance ${uuid}`);
    const host = hostOf(server);
    // Cinder's in-use → detaching; a volume not in use (still attaching, or detaching already) is its 400.
    await volumes.beginDetaching(context, volumeId);
    await support.record(context, uuid, InstanceActionName.DETACH_VOLUME);
    await support.agents.cast(host, 'detach_volume', { instanceUuid: uuid, volumeId, attachmentId: mapping.attachmentId, mountpoint: mapping.deviceName ?? '' });
    LOG.info(`Detaching volume ${volumeId} from ${mapping.deviceName ?? '-'}`, { instance: uuid });
  }

  #volumes(): ComputeVolumeApi {
    if (this.deps.volumes === undefined) throw new ServiceUnavailable('The volume service is not available to compute on this node.');
    return this.deps.volumes;
  }
}
