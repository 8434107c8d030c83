import type { FormatInspector } from './image-file.js';

// ISO 9660: 16 sectors of system area, then volume descriptors of one 2048-byte sector each.
const DESCRIPTORS_START = 16 * 2048;
const DESCRIPTOR_SIZE = 2048;
const STANDARD_ID = Buffer.from('CD001', 'latin1');
const PRIMARY = 1;
const TERMINATOR = 255;
/** Real discs have a handful (boot record, primary, supplementary, terminator). */
const MAX_DESCRIPTORS = 32;

/** CD/DVD images. The size is the primary volume descriptor's block count × block size. */
export const isoInspector: FormatInspector = {
  format: 'iso',

  matches: (file) => file.hasBytes(DESCRIPTORS_START + 1, STANDARD_ID),

  async inspect(file) {
    for (let index = 0; index < MAX_DESCRIPTORS; index += 1) {
      const offset = DESCRIPTORS_START + index * DESCRIPTOR_SIZE;
      if (!(await file.hasBytes(offset + 1, STANDARD_ID))) break;
      const descriptor = await file.read(offset, DESCRIPTOR_SIZE);
      const type = descriptor.readUInt8(0);
      if (type === TERMINATOR) break;
      if (type !== PRIMARY) continue;
      // Both fields are stored little- then big-endian; the little-endian half is enough.
      const blocks = descriptor.readUInt32LE(80);
      const blockSize = descriptor.readUInt16LE(128);
      if (blockSize === 0) return { virtualSize: 0, safetyProblems: ['ISO primary volume descriptor has a zero block size'] };
      return { virtualSize: blocks * blockSize, safetyProblems: [] };
    }
    return { virtualSize: 0, safetyProblems: ['ISO has no primary volume descriptor'] };
  },
};
