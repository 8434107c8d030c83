/**
 * Volume hot-plug over QMP: a blockdev pair (protocol + format) and a virtio-blk device whose
 * serial is the volume id (what the guest reads in /sys/block/vdX/serial, as with Nova). The
 * protocol layer is the volume's file on this host, or the volume host's NBD export with TLS
 * over the attachment's pre-shared key (a `tls-creds-psk` client object whose `keys.psk` lives in
 * the guest's runtime dir while the volume is attached). Unplug waits for the guest to release
 * the device (device-unplug.ts) before the blockdevs and the TLS object go.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VolumeAttachment } from '../instance-spec.js';
import { NBD_RECONNECT_DELAY_SECONDS, type DiskDefinition, type NbdDiskSource, type VolumeDefinition } from './argv/vm-definition.js';
import { unplugDevice } from './device-unplug.js';
import { type BlockdevOptions, type QmpMonitor, qmp } from './qmp/index.js';
import { Reverter } from './reverter.js';

/** The protocol node a grow moves the disk to while its `<id>-file` is made again (growVolume). */
const growNode = (disk: DiskDefinition): string => `${disk.id}-grow`;

/** The definition of an attachment: a file on this host or an NBD export; `runtimeDir` is the guest's runtime dir (where a PSK file goes). */
export function volumeDefinition(attachment: VolumeAttachment, runtimeDir: string): VolumeDefinition {
  const { connection } = attachment;
  // Node names are limited to 31 characters: a prefix of the volume id is unique enough per guest.
  const id = `v${attachment.volumeId.replaceAll('-', '').slice(0, 16)}`;
  const disk = { id, format: 'raw', serial: attachment.volumeId, readOnly: false, ...(connection.multiattach === true ? { shared: true } : {}) } as const;
  switch (connection.driverVolumeType) {
    case 'file':
      return { volumeId: attachment.volumeId, mountpoint: attachment.mountpoint, disk: { ...disk, path: connection.path } };
    case 'nbd': {
      const psk = connection.psk === undefined ? null : { dir: join(runtimeDir, `psk-${id}`), ...connection.psk };
      const nbd: NbdDiskSource = { host: connection.host, port: connection.port, exportName: connection.exportName, psk };
      const path = `nbd://${connection.host.includes(':') ? `[${connection.host}]` : connection.host}:${connection.port}/${connection.exportName}`;
      return { volumeId: attachment.volumeId, mountpoint: attachment.mountpoint, disk: { ...disk, path, nbd } };
    }
    default:
      throw new Error(`volume transport ${connection.driverVolumeType} is not supported by this host`);
  }
}

/** Writes the PSK files of the definition's NBD disks (0600, in directories of their own): QEMU reads them when it opens the disks. */
export async function writeDiskKeys(disks: readonly DiskDefinition[]): Promise<void> {
  for (const { nbd } of disks) {
    if (nbd === undefined || nbd.psk === null) continue;
    await mkdir(nbd.psk.dir, { recursive: true, mode: 0o700 });
    await writeFile(join(nbd.psk.dir, 'keys.psk'), `${nbd.psk.identity}:${nbd.psk.key}\n`, { mode: 0o600 });
  }
}

/** The NBD protocol node `nodeName` of an NBD disk, through its TLS object `<id>-tls` when it has a key. */
function nbdNode(disk: DiskDefinition & { readonly nbd: NbdDiskSource }, nodeName: string): BlockdevOptions {
  const { nbd } = disk;
  const server = { type: 'inet', host: nbd.host, port: String(nbd.port) } as const;
  const options = { driver: 'nbd', 'node-name': nodeName, server, export: nbd.exportName, 'reconnect-delay': NBD_RECONNECT_DELAY_SECONDS } as const;
  return nbd.psk === null ? options : { ...options, 'tls-creds': `${disk.id}-tls` };
}

/** The protocol node `<id>-file`: the file, or the NBD export through its TLS object `<id>-tls` (made first). */
async function addProtocolNode(monitor: QmpMonitor, disk: DiskDefinition): Promise<void> {
  const nodeName = `${disk.id}-file`;
  const { nbd } = disk;
  if (nbd === undefined) {
    await qmp.blockdevAdd(monitor, { driver: 'file', 'node-name': nodeName, filename: disk.path });
    return;
  }
  const options = nbdNode({ ...disk, nbd }, nodeName);
  if (nbd.psk === null) {
    await qmp.blockdevAdd(monitor, options);
    return;
  }
  await writeDiskKeys([disk]);
  await qmp.objectAdd(monitor, { 'qom-type': 'tls-creds-psk', id: `${disk.id}-tls`, endpoint: 'client', dir: nbd.psk.dir, username: nbd.psk.identity });
  try {
    await qmp.blockdevAdd(monitor, options);
  } catch (error) {
    await removeTls(monitor, disk).catch(() => undefined);
    throw error;
  }
}

/** The TLS object and its key file, once no node uses them. */
async function removeTls(monitor: QmpMonitor, disk: DiskDefinition): Promise<void> {
  if (disk.nbd === undefined || disk.nbd.psk === null) return;
  await qmp.objectDel(monitor, `${disk.id}-tls`);
  await rm(disk.nbd.psk.dir, { recursive: true, force: true });
}

export async function plugVolume(monitor: QmpMonitor, volume: VolumeDefinition): Promise<void> {
  const { disk } = volume;
  await addProtocolNode(monitor, disk);
  try {
    await qmp.blockdevAdd(monitor, { driver: disk.format, 'node-name': disk.id, file: `${disk.id}-file` });
    try {
      await qmp.deviceAdd(monitor, {
        driver: 'virtio-blk-pci',
        id: `${disk.id}-dev`,
        drive: disk.id,
        ...(disk.serial === null ? {} : { serial: disk.serial }),
        ...(disk.shared === true ? { 'share-rw': true } : {}),
      });
    } catch (error) {
      await qmp.blockdevDel(monitor, disk.id).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await qmp.blockdevDel(monitor, `${disk.id}-file`).catch(() => undefined);
    await removeTls(monitor, disk).catch(() => undefined);
    throw error;
  }
}

export async function unplugVolume(monitor: QmpMonitor, volume: VolumeDefinition): Promise<void> {
  if ((await unplugDevice(monitor, `${volume.disk.id}-dev`, volume.mountpoint)) === 'disconnected') return;
  await removeVolumeNodes(monitor, volume.disk);
}

/**
 * What a detach removes once the guest let the device go: the format node, then the protocol
 * nodes there are of `<id>-file` and `<id>-grow` (a grow whose undo could not reach the export
 * leaves the disk on `<id>-grow`, with or without `<id>-file`), then the TLS object.
 */
export async function removeVolumeNodes(monitor: QmpMonitor, disk: DiskDefinition): Promise<void> {
  await qmp.blockdevDel(monitor, disk.id);
  const present = new Set(await qmp.queryNamedBlockNodeNames(monitor));
  for (const node of [`${disk.id}-file`, growNode(disk)]) if (present.has(node)) await qmp.blockdevDel(monitor, node);
  await removeTls(monitor, disk);
}

/**
 * Tells the guest a volume grew (the backend grew it first). A file is read at its new size at
 * once; an NBD client keeps the size its export told it when it connected (QEMU: "Cannot grow NBD
 * nodes"), so the format node is moved to a fresh connection to the export, made again at the new
 * size by the volume service, under a second name, then back to a fresh `<id>-file`, and the old
 * connections are dropped; the node names stay as plug and unplug know them. Each move flushes
 * the node's current connection, which its reconnect-delay lets come back from the export's restart.
 * A step that fails undoes the earlier ones (the disk back on a `<id>-file`); when the undo cannot
 * reach the export either, the disk stays on `<id>-grow`, which detach removes too.
 */
export async function growVolume(monitor: QmpMonitor, volume: VolumeDefinition, newSizeBytes: number): Promise<void> {
  const { disk } = volume;
  const { nbd } = disk;
  if (nbd !== undefined) {
    const format = (file: string): BlockdevOptions => ({ driver: disk.format, 'node-name': disk.id, file });
    const spare = growNode(disk);
    const file = `${disk.id}-file`;
    await Reverter.run(async (reverter) => {
      await qmp.blockdevAdd(monitor, nbdNode({ ...disk, nbd }, spare));
      reverter.add(() => qmp.blockdevDel(monitor, spare));
      await qmp.blockdevReopen(monitor, format(spare));
      reverter.add(() => qmp.blockdevReopen(monitor, format(file)));
      await qmp.blockdevDel(monitor, file);
      // Until a fresh `<id>-file` is made, undoing needs one made again (the export may still refuse it).
      let fresh = false;
      reverter.add(async () => {
        if (!fresh) await qmp.blockdevAdd(monitor, nbdNode({ ...disk, nbd }, file));
      });
      await qmp.blockdevAdd(monitor, nbdNode({ ...disk, nbd }, file));
      fresh = true;
      await qmp.blockdevReopen(monitor, format(file));
      await qmp.blockdevDel(monitor, spare);
    });
  }
  await qmp.blockResize(monitor, disk.id, newSizeBytes);
}
