import { MalformedImage, readU64, type FormatFindings, type FormatInspector, type ImageFile } from './image-file.js';
import { parseVmdkDescriptor, type VmdkDescriptor } from './vmdk-descriptor.js';

// VMware's "Virtual Disk Format 1.1": a little-endian SparseExtentHeader, then a text descriptor.
const SPARSE_MAGIC = Buffer.from('KDMV', 'latin1');
/** VMDK3 (ESX "COWD") sparse files: QEMU opens them, nothing here parses them, so they are refused. */
const COWD_MAGIC = Buffer.from('COWD', 'latin1');
const SECTOR = 512;
/** QEMU reads an embedded descriptor only at sector 1 and at most 1 MiB - 1 of it. */
const EMBEDDED_DESCRIPTOR_OFFSET = 512;
const MAX_DESCRIPTOR = (1 << 20) - 1;
/** gdOffset's value when the real header is a footer at the end (streamOptimized written by VMware). */
const GD_AT_END = 0xffffffffffffffffn;
const FOOTER_FROM_END = 3 * SECTOR;
/** The only single-file layouts: the data is in this file, not in extents beside it. */
const SELF_CONTAINED = new Set(['monolithicsparse', 'streamoptimized']);
const PROBE_LENGTH = 512;

/** QEMU's probe for a text descriptor: after comments and blank lines, the first line is `version=N`. */
function looksLikeDescriptorText(head: Buffer): boolean {
  for (const line of head.toString('latin1').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    return /^version=[123]$/.test(trimmed);
  }
  return false;
}

function extentProblems(descriptor: VmdkDescriptor): string[] {
  const type = descriptor.createType?.toLowerCase();
  if (type === undefined || !SELF_CONTAINED.has(type)) {
    return [`VMDK createType ${JSON.stringify(descriptor.createType ?? '')} keeps its data in other files`];
  }
  const extent = descriptor.extents[0];
  if (descriptor.extents.length !== 1 || extent === undefined) return [`a single-file VMDK lists ${descriptor.extents.length} extents`];
  if (extent.type !== 'SPARSE' || extent.fileName === undefined || /[/\\]/.test(extent.fileName)) {
    return [`VMDK extent ${extent.type} ${JSON.stringify(extent.fileName ?? '')} points outside the image`];
  }
  return [];
}

async function inspectSparse(file: ImageFile): Promise<FormatFindings> {
  let header = await file.read(0, 64);
  const version = header.readUInt32LE(4);
  if (version < 1 || version > 3) throw new MalformedImage(`unsupported VMDK version ${version}`);
  if (header.readBigUInt64LE(56) === GD_AT_END) {
    // The header at the start is a placeholder; the footer's copy carries the real capacity.
    header = await file.read(file.size - FOOTER_FROM_END, 64);
    if (!header.subarray(0, 4).equals(SPARSE_MAGIC)) throw new MalformedImage('VMDK footer is missing');
  }
  const virtualSize = readU64(header, 12, 'LE') * SECTOR;
  const descriptorOffset = readU64(header, 28, 'LE') * SECTOR;
  const descriptorSize = Math.min(readU64(header, 36, 'LE') * SECTOR, MAX_DESCRIPTOR);
  if (descriptorOffset !== EMBEDDED_DESCRIPTOR_OFFSET || descriptorSize === 0) {
    throw new MalformedImage(`VMDK descriptor is at ${descriptorOffset} (${descriptorSize} bytes), not right after the header`);
  }
  const descriptor = parseVmdkDescriptor(await file.read(descriptorOffset, descriptorSize));
  return { virtualSize, safetyProblems: extentProblems(descriptor) };
}

/** A descriptor-only file: every extent is another file, so it is never safe to accept. */
async function inspectDescriptorFile(file: ImageFile): Promise<FormatFindings> {
  if (file.size > MAX_DESCRIPTOR) throw new MalformedImage(`VMDK descriptor file of ${file.size} bytes is too large`);
  const descriptor = parseVmdkDescriptor(await file.read(0, file.size));
  const virtualSize = descriptor.extents.reduce((total, extent) => total + extent.sectors * SECTOR, 0);
  const names = descriptor.extents.map((extent) => JSON.stringify(extent.fileName ?? extent.type)).join(', ');
  return {
    virtualSize,
    safetyProblems: [`VMDK descriptor file (createType ${JSON.stringify(descriptor.createType ?? '')}) keeps its data in other files: ${names || 'none listed'}`],
  };
}

/**
 * VMware disks. monolithicSparse and streamOptimized hold their data; every other layout (flat,
 * split, descriptor files) names extent files that a hypervisor would open on the host.
 */
export const vmdkInspector: FormatInspector = {
  format: 'vmdk',

  async matches(file) {
    if ((await file.hasBytes(0, SPARSE_MAGIC)) || (await file.hasBytes(0, COWD_MAGIC))) return true;
    return looksLikeDescriptorText(await file.read(0, Math.min(PROBE_LENGTH, file.size)));
  },

  async inspect(file) {
    if (await file.hasBytes(0, COWD_MAGIC)) return { virtualSize: 0, safetyProblems: ['VMDK3 (COWD) images are not supported'] };
    if (await file.hasBytes(0, SPARSE_MAGIC)) return inspectSparse(file);
    return inspectDescriptorFile(file);
  },
};
