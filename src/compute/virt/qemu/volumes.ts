/**
 * Volume hot-plug over QMP: a blockdev pair (file + format) and a virtio-blk device whose serial
 * is the volume id (what the guest reads in /sys/block/vdX/serial, as with Nova). Unplug waits
 * for the guest to release the device (device-unplug.ts) before the blockdevs go.
 */
import type { VolumeAttachment } from '../instance-spec.js';
import type { VolumeDefinition } from './argv/vm-definition.js';
import { unplugDevice } from './device-unplug.js';
import { type QmpMonitor, qmp } from './qmp/index.js';

/** The definition of an attachment; only volumes the host reaches as files are supported. */
export function volumeDefinition(attachment: VolumeAttachment): VolumeDefinition {
  const { connection } = attachment;
  if (connection.driverVolumeType !== 'file') throw new Error(`volume transport ${connection.driverVolumeType} is not supported by this host`);
  // Node names are limited to 31 characters: a prefix of the volume id is unique enough per guest.
  const id = `v${attachment.volumeId.replaceAll('-', '').slice(0, 16)}`;
  return {
    volumeId: attachment.volumeId,
    mountpoint: attachment.mountpoint,
    disk: { id, path: connection.path, format: 'raw', serial: attachment.volumeId, readOnly: false },
  };
}

export async function plugVolume(monitor: QmpMonitor, volume: VolumeDefinition): Promise<void> {
  const { disk } = volume;
  await qmp.blockdevAdd(monitor, { driver: 'file', 'node-name': `${disk.id}-file`, filename: disk.path });
  try {
    await qmp.blockdevAdd(monitor, { driver: disk.format, 'node-name': disk.id, file: `${disk.id}-file` });
    try {
      await qmp.deviceAdd(monitor, { driver: 'virtio-blk-pci', id: `${disk.id}-dev`, drive: disk.id, ...(disk.serial === null ? {} : { serial: disk.serial }) });
    } catch (error) {
      await qmp.blockdevDel(monitor, disk.id).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await qmp.blockdevDel(monitor, `${disk.id}-file`).catch(() => undefined);
    throw error;
  }
}

export async function unplugVolume(monitor: QmpMonitor, volume: VolumeDefinition): Promise<void> {
  if ((await unplugDevice(monitor, `${volume.disk.id}-dev`, volume.mountpoint)) === 'disconnected') return;
  await qmp.blockdevDel(monitor, volume.disk.id);
  await qmp.blockdevDel(monitor, `${volume.disk.id}-file`);
}
