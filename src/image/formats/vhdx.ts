import { MalformedImage, readU64, type FormatInspector, type ImageFile } from './image-file.js';

// Microsoft's MS-VHDX, little-endian: a file identifier, a region table pointing at the metadata
// region, and metadata items found by GUID. Glance's format_inspector reads the same path.
const IDENTIFIER = Buffer.from('vhdxfile', 'latin1');
const REGION_TABLE_OFFSET = 192 * 1024;
const REGION_SIGNATURE = Buffer.from('regi', 'latin1');
const METADATA_SIGNATURE = Buffer.from('metadata', 'latin1');
const TABLE_HEADER = 16;
const METADATA_HEADER = 32;
const ENTRY = 32;
/** Both tables hold at most 2047 entries. */
const MAX_ENTRIES = 2047;

/** A GUID's on-disk bytes: the first three groups little-endian, the rest as written. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replaceAll('-', '');
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

const METADATA_REGION = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E');
const VIRTUAL_DISK_SIZE = guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8');
const PARENT_LOCATOR = guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C');

/** The entries of a table (region table or metadata table) whose header is at `offset`. */
async function readTable(file: ImageFile, offset: number, headerSize: number, countAt: number, countBytes: 2 | 4): Promise<Buffer[]> {
  const header = await file.read(offset, headerSize);
  const count = countBytes === 2 ? header.readUInt16LE(countAt) : header.readUInt32LE(countAt);
  if (count > MAX_ENTRIES) throw new MalformedImage(`VHDX table at ${offset} claims ${count} entries`);
  const entries = await file.read(offset + headerSize, count * ENTRY);
  return Array.from({ length: count }, (_unused, index) => entries.subarray(index * ENTRY, (index + 1) * ENTRY));
}

async function metadataRegionOffset(file: ImageFile): Promise<number> {
  if (!(await file.hasBytes(REGION_TABLE_OFFSET, REGION_SIGNATURE))) throw new MalformedImage('VHDX region table signature not found');
  const regions = await readTable(file, REGION_TABLE_OFFSET, TABLE_HEADER, 8, 4);
  const metadata = regions.find((entry) => entry.subarray(0, 16).equals(METADATA_REGION));
  if (!metadata) throw new MalformedImage('VHDX has no metadata region');
  return readU64(metadata, 16, 'LE');
}

/** Hyper-V's disk format. A differencing disk (one with a parent locator) names another file. */
export const vhdxInspector: FormatInspector = {
  format: 'vhdx',

  matches: (file) => file.hasBytes(0, IDENTIFIER),

  async inspect(file) {
    const regionOffset = await metadataRegionOffset(file);
    if (!(await file.hasBytes(regionOffset, METADATA_SIGNATURE))) throw new MalformedImage('VHDX metadata signature not found');
    const items = await readTable(file, regionOffset, METADATA_HEADER, 10, 2);
    const sizeItem = items.find((entry) => entry.subarray(0, 16).equals(VIRTUAL_DISK_SIZE));
    if (!sizeItem) throw new MalformedImage('VHDX metadata has no virtual disk size');
    // Item offsets count from the start of the metadata region.
    const virtualSize = readU64(await file.read(regionOffset + sizeItem.readUInt32LE(16), 8), 0, 'LE');
    const differencing = items.some((entry) => entry.subarray(0, 16).equals(PARENT_LOCATOR));
    return { virtualSize, safetyProblems: differencing ? ['VHDX is a differencing disk that names a parent image'] : [] };
  },
};
