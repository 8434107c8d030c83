import { readU64, type FormatFindings, type FormatInspector, type ImageFile } from './image-file.js';

// Header layout: docs/interop/qcow2.txt in QEMU. All fields big-endian.
const MAGIC = Buffer.from('QFI\xfb', 'latin1');
const V2_HEADER_LENGTH = 72;
const V3_HEADER_LENGTH = 104;
const INCOMPATIBLE_DATA_FILE = 1n << 2n;
/** Incompatible features QEMU knows: dirty, corrupt, external data file, compression type, extended L2. */
const KNOWN_INCOMPATIBLE = (1n << 5n) - 1n;
const EXTENSION_END = 0x00000000;
const EXTENSION_BACKING_FORMAT = 0xe2792aca;
const EXTENSION_DATA_FILE = 0x44415441;

/** The header extensions, which sit between the header and the end of the first cluster. */
async function extensionTypes(file: ImageFile, start: number, clusterSize: number): Promise<number[]> {
  const end = Math.min(clusterSize, file.size);
  if (start >= end) return [];
  const area = await file.read(start, end - start);
  const types: number[] = [];
  let offset = 0;
  while (offset + 8 <= area.length) {
    const type = area.readUInt32BE(offset);
    if (type === EXTENSION_END) return types;
    types.push(type);
    offset += 8 + Math.ceil(area.readUInt32BE(offset + 4) / 8) * 8;
  }
  return types;
}

/**
 * QEMU copy-on-write v2/v3. Unsafe when it names a backing file or an external data file: QEMU
 * would open that path on the host, which is how an upload reads the host's files.
 */
export const qcow2Inspector: FormatInspector = {
  format: 'qcow2',

  matches: (file) => file.hasBytes(0, MAGIC),

  async inspect(file): Promise<FormatFindings> {
    const header = await file.read(0, Math.min(V3_HEADER_LENGTH, file.size));
    if (header.length < V2_HEADER_LENGTH) return { virtualSize: 0, safetyProblems: ['qcow2 header is truncated'] };
    const problems: string[] = [];
    const version = header.readUInt32BE(4);
    const clusterBits = header.readUInt32BE(20);
    const virtualSize = readU64(header, 24, 'BE');
    if (version !== 2 && version !== 3) problems.push(`unsupported qcow2 version ${version}`);
    if (clusterBits < 9 || clusterBits > 21) problems.push(`qcow2 cluster bits ${clusterBits} are out of range`);
    if (header.readBigUInt64BE(8) !== 0n) problems.push('qcow2 image names a backing file');

    let headerLength = V2_HEADER_LENGTH;
    if (version === 3) {
      if (header.length < V3_HEADER_LENGTH) return { virtualSize, safetyProblems: [...problems, 'qcow2 v3 header is truncated'] };
      const incompatible = header.readBigUInt64BE(72);
      if (incompatible & INCOMPATIBLE_DATA_FILE) problems.push('qcow2 image uses an external data file');
      if (incompatible & ~KNOWN_INCOMPATIBLE) problems.push(`qcow2 image has unknown incompatible features 0x${incompatible.toString(16)}`);
      headerLength = header.readUInt32BE(100);
      if (headerLength < V3_HEADER_LENGTH) problems.push(`qcow2 v3 header length ${headerLength} is too short`);
    }
    // Only a header that passed every check above is walked further; the others are refused anyway.
    if (problems.length === 0) {
      const extensions = await extensionTypes(file, headerLength, 2 ** clusterBits);
      if (extensions.includes(EXTENSION_DATA_FILE)) problems.push('qcow2 image names an external data file');
      if (extensions.includes(EXTENSION_BACKING_FORMAT)) problems.push('qcow2 image names a backing file format');
    }
    return { virtualSize, safetyProblems: problems };
  },
};
