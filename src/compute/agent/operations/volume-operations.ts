/**
 * attach_volume and detach_volume (Nova's ComputeManager.attach_volume / detach_volume with the
 * 3.44 attachments flow): connect this host through the attachment the API made, hot-plug the
 * disk, mark the attachment complete, record the connection; or unplug, wait for the guest to
 * let go, and delete the attachment. A failed attach undoes its steps; a failed detach rolls the
 * volume back to in-use. Each runs under the instance's lock with an instance action event.
 */
import { currentContext, newAdminContext, type RequestContext } from '../../../common/context/request-context.js';
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { DeviceNotFound } from '../../virt/errors.js';

const GIB = 1024 ** 3;
import { markMultiattach, volumeConnectionOf } from '../../volumes/block-device.js';
import { hostConnector } from '../../volumes/host-connector.js';
import type { ComputeVolumeApi } from '../../volumes/volume-api.js';
import { guestRef } from '../guest-spec.js';
import { deleteOtherAttachments } from '../move-volumes.js';
import type { AgentHandlers, VolumeAttachArgs } from '../rpc-api.js';
import { withEvent } from './instance-event.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

const contextOf = (): RequestContext => currentContext() ?? newAdminContext();

function volumeApi(deps: ComputeManagerDeps): ComputeVolumeApi {
  if (deps.volumes === undefined) throw new Error('This compute host has no volume API configured ([cinder] endpoint_override or [service_user])');
  return deps.volumes;
}

async function attachVolume({ deps }: OperationContext, instance: AgentInstance, args: VolumeAttachArgs): Promise<void> {
  const volumes = volumeApi(deps);
  const context = contextOf();
  let plugged = false;
  try {
    const { multiattach } = await volumes.get(context, args.volumeId);
    const attachment = await volumes.attachmentUpdate(context, args.attachmentId, hostConnector(deps.host, args.mountpoint));
    const connectionInfo = markMultiattach(attachment.connection_info, multiattach);
    const connection = volumeConnectionOf(connectionInfo);
    if (connection === null) throw new Error(`Volume ${args.volumeId}: this host cannot use the connection ${String(attachment.connection_info['driver_volume_type'])}`);
    await deps.driver.attachVolume(guestRef(instance), { volumeId: args.volumeId, mountpoint: args.mountpoint, connection });
    plugged = true;
    await deps.conductor.blockDeviceUpdate({ instanceUuid: instance.uuid, volumeId: args.volumeId, connectionInfo });
    await volumes.attachmentComplete(context, args.attachmentId);
    LOG.info(`Attached volume ${args.volumeId} at ${args.mountpoint}`, { instance: instance.uuid });
  } catch (error) {
    // Undo in reverse: the guest's disk, the mapping, then the attachment that holds the volume.
    if (plugged) await deps.driver.detachVolume(guestRef(instance), args.volumeId).catch((undo: unknown) => LOG.warning(`Could not unplug volume ${args.volumeId} after a failed attach: ${messageOf(undo)}`, { instance: instance.uuid }));
    await deps.conductor.blockDeviceDestroy({ instanceUuid: instance.uuid, volumeId: args.volumeId });
    await volumes.attachmentDelete(context, args.attachmentId).catch((undo: unknown) => LOG.warning(`Could not delete attachment ${args.attachmentId}: ${messageOf(undo)}`, { instance: instance.uuid }));
    throw error;
  }
}

async function detachVolume({ deps }: OperationContext, instance: AgentInstance, args: VolumeAttachArgs): Promise<void> {
  const volumes = volumeApi(deps);
  const context = contextOf();
  try {
    await deps.driver.detachVolume(guestRef(instance), args.volumeId);
  } catch (error) {
    if (!(error instanceof DeviceNotFound)) {
      await volumes.rollDetaching(context, args.volumeId).catch((undo: unknown) => LOG.warning(`Could not roll back the detach of ${args.volumeId}: ${messageOf(undo)}`, { instance: instance.uuid }));
      throw error;
    }
    LOG.info(`Volume ${args.volumeId} was not plugged into the guest; detaching it in the records`, { instance: instance.uuid });
  }
  await volumes.attachmentDelete(context, args.attachmentId);
  await deps.conductor.blockDeviceDestroy({ instanceUuid: instance.uuid, volumeId: args.volumeId });
  LOG.info(`Detached volume ${args.volumeId} from ${args.mountpoint}`, { instance: instance.uuid });
}

/**
 * After the guest is destroyed: every attachment goes, and the volumes marked delete_on_termination
 * with it (Nova's _cleanup_volumes). A failure is logged per volume and the rest still go.
 */
export async function releaseVolumes(deps: ComputeManagerDeps, instance: AgentInstance): Promise<void> {
  if (instance.volumes.length === 0) return;
  const context = contextOf();
  for (const volume of instance.volumes) {
    try {
      const volumes = volumeApi(deps);
      // A move's other end may still hold one (a server deleted while its resize waited): it goes too.
      await deleteOtherAttachments(volumes, instance.uuid, volume);
      if (volume.attachmentId !== null) await volumes.attachmentDelete(context, volume.attachmentId);
      if (volume.deleteOnTermination) await volumes.delete(context, volume.volumeId);
    } catch (error) {
      LOG.warning(`Volume ${volume.volumeId} could not be released: ${messageOf(error)}`, { instance: instance.uuid });
    }
  }
  await deps.conductor.blockDeviceDestroy({ instanceUuid: instance.uuid });
}

/**
 * Cinder's volume-extended event (Nova's extend_volume): the backend grew the volume of an
 * attachment on this host; the running guest is told its new size, read back from Cinder.
 */
export async function extendAttachedVolume(deps: ComputeManagerDeps, instanceUuid: string, volumeId: string): Promise<void> {
  const instance = await deps.conductor.instanceGet(instanceUuid);
  if (instance === null || !instance.volumes.some((volume) => volume.volumeId === volumeId)) {
    LOG.info(`Volume ${volumeId} is not attached here; nothing to extend`, { instance: instanceUuid });
    return;
  }
  const volume = await volumeApi(deps).get(contextOf(), volumeId);
  await deps.driver.extendVolume(guestRef(instance), volumeId, volume.size * GIB);
  LOG.info(`Extended volume ${volumeId} to ${volume.size}GB in the guest`, { instance: instanceUuid });
}

export function volumeOperations(context: OperationContext): Pick<AgentHandlers, 'attach_volume' | 'detach_volume'> {
  return {
    attach_volume: (args) => withEvent(context, args.instanceUuid, 'compute_attach_volume', (instance) => attachVolume(context, instance, args)),
    detach_volume: (args) => withEvent(context, args.instanceUuid, 'compute_detach_volume', (instance) => detachVolume(context, instance, args)),
  };
}
