/**
 * The volumes of an instance that moves follow it (Nova's pre_live_migration attachments,
 * _update_volume_attachments, _complete_volume_attachments, _rollback_volume_bdms, and the
 * source's attachments deleted once the move is settled), with Cinder's 3.44 attachments: the
 * host about to run the guest gets an attachment of its own for each volume, connected to it and
 * saved on the mapping, while the source's stays (Cinder lets one instance hold two attachments
 * of a volume while it moves, so the volume stays in-use). When the guest runs on the destination
 * the source's attachments go (`dropOtherAttachments`); when it does not, the mappings hold the
 * source's again and the destination's go (`restoreAttachments`).
 */
import { currentContext, newAdminContext, type RequestContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AgentBlockDevice, AgentInstance } from '../conductor/rpc-api.js';
import { agentVolumeOf, markMultiattach, volumeConnectionOf } from '../volumes/block-device.js';
import { hostConnector } from '../volumes/host-connector.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

const contextOf = (): RequestContext => currentContext() ?? newAdminContext();

/** The instance's mappings of volumes it holds (made and reserved), as they are now: what a rollback restores. */
export async function volumeMappings(deps: ComputeManagerDeps, instanceUuid: string): Promise<AgentBlockDevice[]> {
  return (await deps.conductor.blockDevicesOf(instanceUuid)).filter((mapping) => mapping.destinationType === 'volume' && mapping.volumeId !== null && mapping.attachmentId !== null);
}

function volumeApi(deps: ComputeManagerDeps): ComputeVolumeApi {
  if (deps.volumes === undefined) throw new Error('This compute host has no volume API configured ([cinder] endpoint_override or [service_user])');
  return deps.volumes;
}

/** Connects `attachmentId` to this host; the connection must be one this host can use. */
async function connectHere(deps: ComputeManagerDeps, volumes: ComputeVolumeApi, mapping: AgentBlockDevice, attachmentId: string): Promise<AgentBlockDevice> {
  const attachment = await volumes.attachmentUpdate(contextOf(), attachmentId, hostConnector(deps.host, mapping.deviceName ?? ''));
  if (volumeConnectionOf(attachment.connection_info) === null) {
    throw new Error(`Volume ${mapping.volumeId ?? '-'}: this host cannot use the connection ${String(attachment.connection_info['driver_volume_type'])}`);
  }
  const connectionInfo = markMultiattach(attachment.connection_info, mapping.connectionInfo?.['multiattach'] === true);
  const connected = { ...mapping, attachmentId, connectionInfo };
  await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { attachmentId, connectionInfo } });
  return connected;
}

/**
 * On the host about to run the guest (a live migration's or resize's destination, an evacuation's
 * new host): a new attachment per volume, connected here, saved on its mapping and completed (as
 * Nova's pre_live_migration does before the guest arrives). The source's attachments stay. A
 * failure deletes the new ones and puts the mappings back. Answers the instance with its volumes'
 * new connections.
 */
export async function attachVolumesHere(deps: ComputeManagerDeps, instance: AgentInstance): Promise<AgentInstance> {
  const before = await volumeMappings(deps, instance.uuid);
  if (before.length === 0) return instance;
  const volumes = volumeApi(deps);
  const context = contextOf();
  const connected: AgentBlockDevice[] = [];
  try {
    for (const mapping of before) {
      const attachment = await volumes.attachmentCreate(context, mapping.volumeId ?? '', instance.uuid);
      // Recorded before it is connected, so a failure from here on finds it to delete.
      await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { attachmentId: attachment.id } });
      connected.push(await connectHere(deps, volumes, mapping, attachment.id));
    }
    await completeAttachments(deps, connected);
  } catch (error) {
    await restoreAttachments(deps, instance.uuid, before);
    throw error;
  }
  LOG.info(`Volumes ${connected.map((mapping) => mapping.volumeId).join(', ')} attached to ${deps.host} for the move`, { instance: instance.uuid });
  return withVolumes(instance, connected);
}

/**
 * On the host taking the guest (back): each mapping's attachment — a reverted resize's source's,
 * kept through the move, or the one an offload left reserved — is connected to this host and
 * completed (Nova's _update_volume_attachments and _complete_volume_attachments).
 */
export async function reconnectVolumesHere(deps: ComputeManagerDeps, instance: AgentInstance): Promise<AgentInstance> {
  const mappings = await volumeMappings(deps, instance.uuid);
  if (mappings.length === 0) return instance;
  const volumes = volumeApi(deps);
  const connected: AgentBlockDevice[] = [];
  for (const mapping of mappings) connected.push(await connectHere(deps, volumes, mapping, mapping.attachmentId ?? ''));
  await completeAttachments(deps, connected);
  return withVolumes(instance, connected);
}

/**
 * The guest leaves this host with nowhere to go yet (a shelve offload; Nova's
 * _terminate_volume_connections): each volume keeps a new attachment without a connector, which
 * reserves it for the instance, and the one connected here goes. The host that takes the guest
 * connects the reserved one (`reconnectVolumesHere`).
 */
export async function disconnectVolumes(deps: ComputeManagerDeps, instanceUuid: string): Promise<void> {
  const mappings = await volumeMappings(deps, instanceUuid);
  if (mappings.length === 0) return;
  const volumes = volumeApi(deps);
  for (const mapping of mappings) {
    if (mapping.connectionInfo === null) continue;
    const reserved = await volumes.attachmentCreate(contextOf(), mapping.volumeId ?? '', instanceUuid);
    await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { attachmentId: reserved.id, connectionInfo: null } });
    await volumes.attachmentDelete(contextOf(), mapping.attachmentId ?? '');
  }
  LOG.info(`Volumes ${mappings.map((mapping) => mapping.volumeId).join(', ')} disconnected from ${deps.host}, still reserved for the instance`, { instance: instanceUuid });
}

/** The guest uses its volumes on this host (Nova's attachment_complete). */
export async function completeAttachments(deps: ComputeManagerDeps, mappings: readonly AgentBlockDevice[]): Promise<void> {
  if (mappings.length === 0) return;
  const volumes = volumeApi(deps);
  for (const mapping of mappings) await volumes.attachmentComplete(contextOf(), mapping.attachmentId ?? '');
}

/** What identifies the instance's hold on a volume: the volume and the attachment its mapping records. */
interface HeldVolume {
  readonly volumeId: string | null;
  readonly attachmentId: string | null;
}

/** The attachments of the instance on the volume other than its mapping's own (the other end of a move). */
async function otherAttachments(volumes: ComputeVolumeApi, instanceUuid: string, held: HeldVolume): Promise<string[]> {
  const volume = await volumes.get(contextOf(), held.volumeId ?? '');
  return volume.attachments.filter((attachment) => attachment.server_id === instanceUuid && attachment.attachment_id !== held.attachmentId).map((attachment) => attachment.attachment_id);
}

/** Deletes the instance's attachments of the volume other than its mapping's (a move's other end); answers how many went. */
export async function deleteOtherAttachments(volumes: ComputeVolumeApi, instanceUuid: string, held: HeldVolume): Promise<number> {
  const stale = await otherAttachments(volumes, instanceUuid, held);
  for (const attachmentId of stale) await volumes.attachmentDelete(contextOf(), attachmentId);
  return stale.length;
}

/**
 * The guest runs where its mappings' attachments lead: the instance's other attachments of its
 * volumes (the source's) go (Nova's post live migration and confirm). A failure is logged per
 * volume and the rest still go: the move is done either way.
 */
export async function dropOtherAttachments(deps: ComputeManagerDeps, instanceUuid: string): Promise<void> {
  const mappings = await volumeMappings(deps, instanceUuid);
  if (mappings.length === 0) return;
  const volumes = volumeApi(deps);
  for (const mapping of mappings) {
    try {
      const deleted = await deleteOtherAttachments(volumes, instanceUuid, mapping);
      if (deleted > 0) LOG.info(`Volume ${mapping.volumeId ?? '-'}: the source's attachment deleted, the instance holds ${mapping.attachmentId ?? '-'} on ${deps.host}`, { instance: instanceUuid });
    } catch (error) {
      LOG.warning(`The old attachment of volume ${mapping.volumeId ?? '-'} could not be deleted: ${messageOf(error)}`, { instance: instanceUuid });
    }
  }
}

/**
 * The move did not happen, or is undone (Nova's _rollback_volume_bdms): each mapping whose
 * attachment is the destination's deletes it and holds the source's again — with the connection
 * `originals` recorded (the guest still runs on the source), or none until the source connects
 * it again (a reverted resize). Without `originals` the source's attachment is the instance's
 * other one in the volume service. A failure is logged per volume and the rest still go.
 */
export async function restoreAttachments(deps: ComputeManagerDeps, instanceUuid: string, originals?: readonly AgentBlockDevice[]): Promise<void> {
  const mappings = await volumeMappings(deps, instanceUuid);
  if (mappings.length === 0) return;
  const volumes = volumeApi(deps);
  for (const mapping of mappings) {
    try {
      const original = originals?.find((candidate) => candidate.id === mapping.id);
      const sourceAttachment = original === undefined ? (await otherAttachments(volumes, instanceUuid, mapping))[0] : original.attachmentId;
      if (sourceAttachment === undefined || sourceAttachment === null || sourceAttachment === mapping.attachmentId) continue;
      await volumes.attachmentDelete(contextOf(), mapping.attachmentId ?? '');
      await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { attachmentId: sourceAttachment, connectionInfo: original?.connectionInfo ?? null } });
      LOG.info(`Volume ${mapping.volumeId ?? '-'} holds attachment ${sourceAttachment} again; ${mapping.attachmentId ?? '-'} deleted`, { instance: instanceUuid });
    } catch (error) {
      LOG.warning(`The attachment of volume ${mapping.volumeId ?? '-'} could not be rolled back: ${messageOf(error)}`, { instance: instanceUuid });
    }
  }
}

function withVolumes(instance: AgentInstance, connected: readonly AgentBlockDevice[]): AgentInstance {
  const byVolume = new Map(connected.map((mapping) => [mapping.volumeId, agentVolumeOf(mapping)]));
  return { ...instance, volumes: instance.volumes.map((volume) => byVolume.get(volume.volumeId) ?? volume) };
}
