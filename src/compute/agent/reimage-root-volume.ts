/**
 * Nova's _rebuild_volume_backed_instance (2.93): the root volume of a volume-backed server is
 * rewritten from the new image by the volume service. A new attachment keeps the volume reserved
 * for the instance while the old one (this host's connection) goes; Cinder's os-reimage (3.68)
 * rewrites it and answers with the `volume-reimaged` external event, awaited here; then this host
 * connects the volume again, so the guest spawns from the new image's bytes.
 */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import { prepOne } from './prep-block-devices.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** Nova's [DEFAULT] reimage_timeout_per_gb default: seconds to wait for the event per GB. */
const REIMAGE_TIMEOUT_PER_GB = 20;

/** Throws (Nova's BuildAbortException "Failed to rebuild volume backed instance.") when any step fails. */
export async function reimageRootVolume(deps: ComputeManagerDeps, instanceUuid: string, availabilityZone: string, imageId: string): Promise<void> {
  const volumes = deps.volumes;
  const root = (await deps.conductor.blockDevicesOf(instanceUuid)).find((mapping) => mapping.bootIndex === 0 && mapping.destinationType === 'volume');
  if (volumes === undefined || root === undefined || root.volumeId === null) throw new Error('Failed to rebuild volume backed instance: no root volume to reimage.');
  const context = currentContext() ?? newAdminContext();
  const volumeId = root.volumeId;
  const reserved = await volumes.attachmentCreate(context, volumeId, instanceUuid);
  await deps.conductor.blockDeviceSave({ id: root.id, changes: { attachmentId: reserved.id, connectionInfo: null } });
  if (root.attachmentId !== null) await volumes.attachmentDelete(context, root.attachmentId);

  const events = deps.events.prepare(instanceUuid, [{ name: 'volume-reimaged', tag: volumeId }]);
  try {
    await volumes.reimage(context, volumeId, imageId);
  } catch (error) {
    events.abandon();
    throw error;
  }
  // Nova times the wait by the image's size; the volume's is its upper bound.
  const deadline = REIMAGE_TIMEOUT_PER_GB * Math.max(1, root.volumeSize ?? 1);
  const { missing, failed } = await events.wait(deadline);
  if (missing.length > 0) throw new Error(`Failed to rebuild volume backed instance: volume ${volumeId} was not reimaged within ${deadline} s.`);
  if (failed.length > 0) throw new Error(`Failed to rebuild volume backed instance: the volume service could not reimage volume ${volumeId}.`);
  LOG.info(`Volume ${volumeId} reimaged with image ${imageId}`, { instance: instanceUuid });
  await prepOne(deps, volumes, { ...root, attachmentId: reserved.id, connectionInfo: null }, availabilityZone);
}
