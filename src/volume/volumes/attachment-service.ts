/**
 * Cinder's attachment flow (volume/api.py attachment_* and the older reserve/attach/detach
 * actions): reserving a volume for an instance, connecting a host (the backend's connection comes
 * back from its volume service in a call), completing, and letting go. The volume's status follows:
 * available → reserved → attaching → in-use → detaching → available; every change is a
 * compare-and-set on the statuses it may come from, so of two racing requests one wins.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AttachmentFilter, AttachmentStore } from '../db/attachment-store.js';
import type { MessageStore } from '../db/message-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import type { VolumeManagerRpcClient } from '../manager/rpc-client.js';
import type { AttachMode, ConnectionInfo, VolumeAttachmentRecord, VolumeConnector } from './attachment.js';
import { invalidInput, invalidVolume } from './volume-errors.js';
import type { VolumeService } from './volume-service.js';
import { backendHostOf, type Volume, type VolumeStatus } from './volume.js';

const LOG = getLogger('nimbus.volume.attachments');

export const attachmentNotFound = (id: string) => new NotFound(`Volume attachment ${id} could not be found.`);

export interface AttachmentRequest {
  readonly volumeId: string;
  readonly instanceUuid: string | null;
  readonly connector?: VolumeConnector;
  readonly mode?: AttachMode;
}

/** What os-attach records (the pre-3.27 flow: the host reports an attachment it made). */
export interface LegacyAttach {
  readonly instanceUuid: string | null;
  readonly hostName: string | null;
  readonly mountpoint: string;
  readonly mode: AttachMode;
}

export interface AttachmentServiceDeps {
  readonly volumes: VolumeService;
  readonly store: VolumeStore;
  readonly attachments: AttachmentStore;
  readonly managers: Pick<VolumeManagerRpcClient, 'initializeConnection' | 'terminateConnection'>;
  /** A connection the backend refused is told to the user as a message. */
  readonly messages: Pick<MessageStore, 'record'>;
}

const statusList = (statuses: readonly string[]) => statuses.join(' or ');

export class AttachmentService {
  constructor(private readonly deps: AttachmentServiceDeps) {}

  /** The attachment if the caller may see its volume's project; 404 otherwise. */
  async get(context: RequestContext, id: string): Promise<VolumeAttachmentRecord> {
    const attachment = await this.deps.attachments.find(id);
    if (attachment === undefined || !(context.isAdmin === true || attachment.projectId === context.projectId)) throw attachmentNotFound(id);
    return attachment;
  }

  list(filter: AttachmentFilter): Promise<VolumeAttachmentRecord[]> {
    return this.deps.attachments.list(filter);
  }

  /** The attachments of each volume, for the volume views. */
  ofVolumes(volumeIds: readonly string[]): Promise<Map<string, VolumeAttachmentRecord[]>> {
    return this.deps.attachments.ofVolumes(volumeIds);
  }

  /** attachment_create: reserves the volume; with a connector the host is connected at once. */
  async create(context: RequestContext, request: AttachmentRequest): Promise<VolumeAttachmentRecord> {
    const volume = await this.deps.volumes.get(context, request.volumeId);
    if (volume.status.includes('error')) {
      throw invalidVolume(`Volume attachments can not be created if the volume is in an error state. The Volume ${volume.id} currently has a status of: ${volume.status} `);
    }
    const attachment = await this.#reserve(volume, request.instanceUuid, request.mode ?? 'null');
    LOG.info(`Attachment ${attachment.id} reserves volume ${volume.id} for instance ${request.instanceUuid ?? '-'}`);
    if (request.connector === undefined) return attachment;
    return this.#connect(volume, attachment, request.connector);
  }

  /** attachment_update: connects the connector's host; the answer carries the connection. */
  async update(context: RequestContext, id: string, connector: VolumeConnector): Promise<VolumeAttachmentRecord> {
    const attachment = await this.get(context, id);
    const volume = await this.deps.volumes.get(context, attachment.volumeId);
    if (volume.status.includes('error')) {
      throw invalidVolume(`Volume attachments can not be updated if the volume is in an error state. The Volume ${volume.id} currently has a status of: ${volume.status} `);
    }
    return this.#connect(volume, attachment, connector);
  }

  /** attachment_complete (3.44): the host has the volume in use. */
  async complete(context: RequestContext, id: string): Promise<void> {
    const attachment = await this.get(context, id);
    if (attachment.connectionInfo === null) throw invalidVolume(`Attachment ${id} has no connection; update it with a connector first.`);
    await this.deps.attachments.update(id, { status: 'attached', attachTime: this.deps.store.now() });
    await this.deps.store.updateVolume(attachment.volumeId, { status: 'in-use', attachStatus: 'attached' });
    LOG.info(`Attachment ${id} of volume ${attachment.volumeId} complete: in-use`);
  }

  /** attachment_delete: the backend lets the host go; the volume is available once nothing holds it. */
  async delete(context: RequestContext, id: string): Promise<VolumeAttachmentRecord[]> {
    const attachment = await this.get(context, id);
    const volume = await this.deps.volumes.get(context, attachment.volumeId);
    await this.#disconnect(volume, attachment);
    await this.deps.attachments.delete(id);
    const remaining = await this.#settle(volume.id);
    LOG.info(`Attachment ${id} of volume ${volume.id} deleted; ${remaining.length} remain`);
    return remaining;
  }

  // --- the actions before 3.27 (Nova's older flow)

  /** os-reserve: available → attaching (in-use too for a multiattach volume). */
  async reserve(context: RequestContext, id: string): Promise<void> {
    const volume = await this.deps.volumes.get(context, id);
    const expected: VolumeStatus[] = volume.multiattach ? ['available', 'in-use'] : ['available'];
    if (!(await this.deps.store.updateVolume(id, { status: 'attaching' }, expected))) {
      throw invalidVolume(`Volume status must be ${statusList(expected)} to reserve, but the status is ${volume.status}.`);
    }
  }

  /** os-unreserve: attaching → available, or in-use while other attachments hold it. */
  async unreserve(context: RequestContext, id: string): Promise<void> {
    await this.deps.volumes.get(context, id);
    const attached = (await this.deps.attachments.list({ volumeId: id })).some((attachment) => attachment.status === 'attached');
    await this.deps.store.updateVolume(id, { status: attached ? 'in-use' : 'available' }, ['attaching', 'reserved']);
  }

  /** os-begin_detaching: in-use and attached → detaching. */
  async beginDetaching(context: RequestContext, id: string): Promise<void> {
    const volume = await this.deps.volumes.get(context, id);
    if (volume.attachStatus !== 'attached' || !(await this.deps.store.updateVolume(id, { status: 'detaching' }, ['in-use']))) {
      throw invalidVolume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
    }
  }

  /** os-roll_detaching: detaching → in-use (a detach that did not happen). */
  async rollDetaching(context: RequestContext, id: string): Promise<void> {
    await this.deps.volumes.get(context, id);
    await this.deps.store.updateVolume(id, { status: 'in-use' }, ['detaching']);
  }

  /** os-initialize_connection: the connection for the connector's host, nothing recorded. */
  async initializeConnection(context: RequestContext, id: string, connector: VolumeConnector): Promise<ConnectionInfo> {
    const volume = await this.deps.volumes.get(context, id);
    if (volume.host === null) throw invalidVolume(`Volume ${id} has no host to connect to.`);
    return this.deps.managers.initializeConnection(backendHostOf(volume.host), { id, sizeGb: volume.size }, connector);
  }

  /** os-terminate_connection. */
  async terminateConnection(context: RequestContext, id: string, connector: VolumeConnector): Promise<void> {
    const volume = await this.deps.volumes.get(context, id);
    if (volume.host === null) return;
    await this.deps.managers.terminateConnection(backendHostOf(volume.host), { id, sizeGb: volume.size }, connector);
  }

  /** os-attach: records the attachment a host made; the volume is in-use. */
  async attach(context: RequestContext, id: string, request: LegacyAttach): Promise<void> {
    const volume = await this.deps.volumes.get(context, id);
    const expected: VolumeStatus[] = volume.multiattach ? ['attaching', 'reserved', 'available', 'in-use'] : ['attaching', 'reserved', 'available'];
    if (!expected.includes(volume.status)) throw invalidVolume(`Volume status must be ${statusList(expected)} to attach, but the status is ${volume.status}.`);
    const now = this.deps.store.now();
    await this.deps.attachments.insert({
      id: randomUUID(),
      volumeId: id,
      projectId: volume.projectId,
      instanceUuid: request.instanceUuid,
      attachedHost: request.hostName,
      mountpoint: request.mountpoint,
      status: 'attached',
      attachMode: request.mode,
      connector: null,
      connectionInfo: null,
      attachTime: now,
      createdAt: now,
      updatedAt: null,
    });
    await this.deps.store.updateVolume(id, { status: 'in-use', attachStatus: 'attached' });
  }

  /**
   * os-detach: removes the named attachment (or the only one); the volume is available once nothing
   * holds it. Nothing to detach (none, or the named one is gone) leaves it available and detached,
   * as Cinder's manager does.
   */
  async detach(context: RequestContext, id: string, attachmentId: string | undefined): Promise<void> {
    await this.deps.volumes.get(context, id);
    const attachments = await this.deps.attachments.list({ volumeId: id });
    if (attachmentId === undefined && attachments.length > 1) throw invalidVolume('Detach volume failed: More than one attachment, but no attachment_id provided.');
    const target = attachmentId === undefined ? attachments[0] : attachments.find((attachment) => attachment.id === attachmentId);
    if (target === undefined) {
      LOG.info(`Volume detach called for volume ${id}, but volume not attached.`);
      if (attachments.length === 0) await this.deps.store.updateVolume(id, { status: 'available', attachStatus: 'detached' });
      return;
    }
    await this.deps.attachments.delete(target.id);
    await this.#settle(id);
  }

  /**
   * os-force_detach (admin): whatever the volume's status (an error left by a failed detach), the
   * named attachment (all when none is named) lets its host go and is removed; the volume is
   * in-use while another stays attached, available otherwise.
   */
  async forceDetach(context: RequestContext, id: string, attachmentId: string | undefined): Promise<void> {
    const volume = await this.deps.volumes.get(context, id);
    const attachments = await this.deps.attachments.list({ volumeId: id });
    const targets = attachmentId === undefined ? attachments : attachments.filter((attachment) => attachment.id === attachmentId);
    if (attachmentId !== undefined && targets.length === 0) throw attachmentNotFound(attachmentId);
    for (const attachment of targets) {
      await this.#disconnect(volume, attachment);
      await this.deps.attachments.delete(attachment.id);
    }
    const attached = attachments.some((attachment) => !targets.includes(attachment) && attachment.status === 'attached');
    await this.deps.store.updateVolume(id, { status: attached ? 'in-use' : 'available', attachStatus: attached ? 'attached' : 'detached' });
    LOG.info(`Force-detached ${targets.length} attachment(s) of volume ${id}`);
  }

  // --- steps

  /** Cinder's _attachment_reserve: the volume to reserved, or a second attachment of a multiattach one. */
  async #reserve(volume: Volume, instanceUuid: string | null, mode: AttachMode): Promise<VolumeAttachmentRecord> {
    const expected: VolumeStatus[] = volume.multiattach ? ['available', 'in-use', 'downloading', 'reserved'] : ['available', 'downloading'];
    if (!(await this.deps.store.updateVolume(volume.id, { status: 'reserved' }, expected))) {
      // The same instance again (a move re-attaching on its destination) may add an attachment.
      const existing = await this.deps.attachments.list({ volumeId: volume.id });
      const sameInstance = instanceUuid !== null && (volume.status === 'in-use' || volume.status === 'reserved') && existing.some((attachment) => attachment.instanceUuid === instanceUuid);
      if (!sameInstance) {
        throw invalidVolume(`Volume ${volume.id} status must be ${statusList(expected.filter((status) => status !== 'reserved'))} to reserve, but the current status is ${volume.status}.`);
      }
    }
    const attachment: VolumeAttachmentRecord = {
      id: randomUUID(),
      volumeId: volume.id,
      projectId: volume.projectId,
      instanceUuid,
      attachedHost: null,
      mountpoint: null,
      status: 'reserved',
      attachMode: mode,
      connector: null,
      connectionInfo: null,
      attachTime: null,
      createdAt: this.deps.store.now(),
      updatedAt: null,
    };
    await this.deps.attachments.insert(attachment);
    return attachment;
  }

  async #connect(volume: Volume, attachment: VolumeAttachmentRecord, connector: VolumeConnector): Promise<VolumeAttachmentRecord> {
    if (volume.host === null) throw invalidVolume(`Volume ${volume.id} has no host to connect to.`);
    const host = typeof connector.host === 'string' ? connector.host : null;
    if (!volume.multiattach) {
      // Two hosts at once only for a move (the same instance on its destination); anything else is a race lost.
      const others = (await this.deps.attachments.list({ volumeId: volume.id })).filter((other) => other.id !== attachment.id && other.connectionInfo !== null);
      if (others.some((other) => other.instanceUuid !== attachment.instanceUuid)) throw invalidVolume(`duplicate connectors detected on volume ${volume.id}`);
    }
    const mode: AttachMode = attachment.attachMode !== 'null' ? attachment.attachMode : connector.mode === 'ro' ? 'ro' : 'rw';
    let connectionInfo: ConnectionInfo;
    try {
      connectionInfo = await this.deps.managers.initializeConnection(backendHostOf(volume.host), { id: volume.id, sizeGb: volume.size }, { ...connector, mode });
    } catch (error) {
      LOG.error(`Volume ${volume.id} could not be connected to ${host ?? 'its host'} for attachment ${attachment.id}`, { error });
      await this.deps.attachments.update(attachment.id, { status: 'error_attaching' });
      await this.deps.messages.record({ action: 'UPDATE_ATTACHMENT', detail: 'ATTACH_ERROR', resourceType: 'VOLUME', resourceUuid: volume.id });
      throw error;
    }
    const changes = {
      status: attachment.status === 'attached' ? ('attached' as const) : ('attaching' as const),
      connector,
      connectionInfo: { ...connectionInfo, attachment_id: attachment.id },
      attachedHost: host,
      attachMode: mode,
      ...(typeof connector.mountpoint === 'string' ? { mountpoint: connector.mountpoint } : {}),
    };
    await this.deps.attachments.update(attachment.id, changes);
    await this.deps.store.updateVolume(volume.id, { status: 'attaching' }, ['reserved']);
    LOG.info(`Attachment ${attachment.id} connects volume ${volume.id} to host ${host ?? '-'}`);
    return { ...attachment, ...changes, mountpoint: changes.mountpoint ?? attachment.mountpoint };
  }

  async #disconnect(volume: Volume, attachment: VolumeAttachmentRecord): Promise<void> {
    if (attachment.status === 'reserved' || attachment.connector === null || volume.host === null) return;
    try {
      await this.deps.managers.terminateConnection(backendHostOf(volume.host), { id: volume.id, sizeGb: volume.size }, attachment.connector);
    } catch (error) {
      LOG.error(`Volume ${volume.id} could not be disconnected for attachment ${attachment.id}`, { error });
      await this.deps.attachments.update(attachment.id, { status: 'error_detaching' });
      throw invalidInput(`Unable to terminate volume connection: ${(error as Error).message}`);
    }
  }

  /** After an attachment went: in-use while another is attached, otherwise available and detached. */
  async #settle(volumeId: string): Promise<VolumeAttachmentRecord[]> {
    const remaining = await this.deps.attachments.list({ volumeId });
    const attached = remaining.some((attachment) => attachment.status === 'attached');
    const status: VolumeStatus = attached ? 'in-use' : remaining.length > 0 ? 'reserved' : 'available';
    await this.deps.store.updateVolume(volumeId, { status, attachStatus: attached ? 'attached' : 'detached' }, ['in-use', 'detaching', 'reserved', 'attaching', 'available']);
    return remaining;
  }
}
