/** The qemu-img operations the driver uses, one function each. */
import { runCommand } from '../process/run-command.js';

export type QemuImgFormat = 'raw' | 'qcow2';

/** Formats qemu-img writes besides those it reads here (a volume uploaded as an image). */
export type QemuImgTargetFormat = QemuImgFormat | 'vmdk' | 'vdi' | 'vpc' | 'vhdx' | 'parallels';

/** Glance's disk_format as qemu-img names it (Cinder's fixup_disk_format): vhd is `vpc`, ploop `parallels`. */
export function qemuImgFormatOf(diskFormat: 'raw' | 'qcow2' | 'vmdk' | 'vdi' | 'vhd' | 'vhdx' | 'ploop'): QemuImgTargetFormat {
  return diskFormat === 'vhd' ? 'vpc' : diskFormat === 'ploop' ? 'parallels' : diskFormat;
}

export interface ImageInfo {
  /** What qemu-img detects from the content (it probes when no format is forced). */
  readonly format: string;
  readonly virtualSize: number;
  readonly actualSize: number;
  readonly backingFilename: string | null;
}

interface InfoJson {
  readonly format: string;
  readonly 'virtual-size': number;
  readonly 'actual-size'?: number;
  readonly 'backing-filename'?: string;
}

/**
 * `qemu-img info` of a file. `forceShare` reads a disk a running QEMU holds (without it the
 * image lock refuses: "Failed to get shared write lock").
 */
export async function imageInfo(path: string, options: { readonly forceShare?: boolean } = {}): Promise<ImageInfo> {
  const args = ['info', '--output=json', ...(options.forceShare === true ? ['-U'] : []), path];
  const info = JSON.parse(await runCommand('qemu-img', args)) as InfoJson;
  return {
    format: info.format,
    virtualSize: info['virtual-size'],
    actualSize: info['actual-size'] ?? 0,
    backingFilename: info['backing-filename'] ?? null,
  };
}

/** A qcow2 overlay on `base` of `sizeBytes` (larger than the base is fine: the guest sees the size). */
export async function createOverlay(base: string, baseFormat: QemuImgFormat, path: string, sizeBytes: number): Promise<void> {
  await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', baseFormat, '-b', base, path, String(sizeBytes)]);
}

/** A standalone copy of `source` (its backing chain flattened) in `format`. */
export async function convertImage(
  source: { readonly path: string; readonly format: QemuImgFormat; readonly forceShare?: boolean },
  target: { readonly path: string; readonly format: QemuImgTargetFormat },
): Promise<void> {
  const share = source.forceShare === true ? ['-U'] : [];
  await runCommand('qemu-img', ['convert', '-q', ...share, '-f', source.format, '-O', target.format, source.path, target.path]);
}

/** Grows a disk to `sizeBytes`. */
export async function resizeImage(path: string, format: QemuImgFormat, sizeBytes: number): Promise<void> {
  await runCommand('qemu-img', ['resize', '-q', '-f', format, path, String(sizeBytes)]);
}

/** Points an overlay at another copy of its base without touching its data (`rebase -u`: the new base holds the same bytes). */
export async function rebaseUnsafe(path: string, base: string, baseFormat: QemuImgFormat): Promise<void> {
  await runCommand('qemu-img', ['rebase', '-q', '-u', '-f', 'qcow2', '-F', baseFormat, '-b', base, path]);
}
