/**
 * Nova's ComputeManager._prep_block_device for a build: each volume mapping of the instance gets
 * its volume — made through the volume API from an image, a snapshot or nothing, and awaited
 * until available (Nova's _await_block_device_map_created) — then this host connects it through
 * an attachment (reserved by the API for an existing volume), completes the attachment and
 * records the volume and its connection on the mapping. Any failure is Nova's BuildAborted
 * "Failure prepping block device.": the server goes to ERROR without a reschedule.
 */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentBlockDevice } from '../conductor/rpc-api.js';
import { volumeConnectionOf } from '../volumes/block-device.js';
import { hostConnector } from '../volumes/host-connector.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import { BuildAborted } from './build-networks.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** As long as Nova's block_device_allocate_retries × interval (60 × 3 s), asked every second. */
const ALLOCATE_RETRIES = 180;
const ALLOCATE_INTERVAL_MS = 1_000;

/** Prepares the instance's volume mappings; returns them as saved. Throws BuildAborted. */
export async function prepBlockDevices(deps: ComputeManagerDeps, instanceUuid: string, availabilityZone: string): Promise<AgentBlockDevice[]> {
  const mappings = (await deps.conductor.blockDevicesOf(instanceUuid)).filter((mapping) => mapping.destinationType === 'volume');
  if (mappings.length === 0) return [];
  try {
    if (deps.volumes === undefined) throw new Error('This compute host has no volume API configured ([cinder] endpoint_override or [service_user])');
    const prepared: AgentBlockDevice[] = [];
    for (const mapping of mappings) prepared.push(await prepOne(deps, deps.volumes, mapping, availabilityZone));
    return prepared;
  } catch (error) {
    LOG.error(`Failure prepping block device: ${messageOf(error)}`, { instance: instanceUuid });
    throw new BuildAborted(instanceUuid, 'Failure prepping block device.');
  }
}

/** One mapping: its volume made if it has none yet, then connected to this host through its attachment (made if it has none). */
export async function prepOne(deps: ComputeManagerDeps, volumes: ComputeVolumeApi, mapping: AgentBlockDevice, availabilityZone: string): Promise<AgentBlockDevice> {
  const context = currentContext() ?? newAdminContext();
  const uuid = mapping.instanceUuid;
  let volumeId = mapping.volumeId;
  if (volumeId === null) {
    const volume = await volumes.create(context, {
      size: mapping.volumeSize ?? 0,
      // Nova names the blank volumes it makes after the instance and leaves the others unnamed.
      name: mapping.sourceType === 'blank' ? `${uuid}-blank-vol` : '',
      ...(mapping.imageId === null ? {} : { imageRef: mapping.imageId }),
      ...(mapping.snapshotId === null ? {} : { snapshotId: mapping.snapshotId }),
      availabilityZone,
    });
    volumeId = volume.id;
    // Recorded at once, so a server deleted from here on takes the volume with it (delete_on_termination).
    await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { volumeId, volumeSize: volume.size } });
    LOG.info(`Created volume ${volumeId} (${mapping.sourceType}) for ${mapping.deviceName ?? '-'}`, { instance: uuid });
    await awaitAvailable(volumes, volumeId);
  }
  const reserved = mapping.attachmentId ?? (await volumes.attachmentCreate(context, volumeId, uuid)).id;
  await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { attachmentId: reserved } });
  const attachment = await volumes.attachmentUpdate(context, reserved, hostConnector(deps.host, mapping.deviceName ?? ''));
  if (volumeConnectionOf(attachment.connection_info) === null) {
    throw new Error(`Volume ${volumeId}: this host cannot use the connection ${String(attachment.connection_info['driver_volume_type'])}`);
  }
  await deps.conductor.blockDeviceSave({ id: mapping.id, changes: { connectionInfo: attachment.connection_info } });
  await volumes.attachmentComplete(context, reserved);
  return { ...mapping, volumeId, attachmentId: reserved, connectionInfo: attachment.connection_info };
}

/** Polls the new volume until it is available; an error status or the last retry fails the build. */
async function awaitAvailable(volumes: ComputeVolumeApi, volumeId: string): Promise<void> {
  const context = currentContext() ?? newAdminContext();
  for (let attempt = 1; attempt <= ALLOCATE_RETRIES; attempt += 1) {
    const { status } = await volumes.get(context, volumeId);
    if (status === 'available') return;
    if (status === 'error') throw new Error(`Volume ${volumeId} did not finish being created: status error`);
    await sleep(ALLOCATE_INTERVAL_MS);
  }
  throw new Error(`Volume ${volumeId} did not finish being created after ${ALLOCATE_RETRIES} attempts`);
}

/**
 * Before a reschedule (Nova's _shutdown_instance for the 3.44 flow): each prepared volume lets go
 * of this host — its attachment is deleted and a new one, without a connector, keeps it reserved
 * for the instance — so the next host connects it afresh. The volumes made here stay with the instance.
 */
export async function unprepBlockDevices(deps: ComputeManagerDeps, devices: readonly AgentBlockDevice[]): Promise<void> {
  const volumes = deps.volumes;
  if (volumes === undefined) return;
  const context = currentContext() ?? newAdminContext();
  for (const device of devices) {
    if (device.volumeId === null || device.attachmentId === null) continue;
    await volumes.attachmentDelete(context, device.attachmentId);
    const reserved = await volumes.attachmentCreate(context, device.volumeId, device.instanceUuid);
    await deps.conductor.blockDeviceSave({ id: device.id, changes: { attachmentId: reserved.id, connectionInfo: null } });
  }
}
