import { readU64, type FormatInspector } from './image-file.js';

// VirtualBox's VDI header (QEMU block/vdi.c), little-endian.
const SIGNATURE_OFFSET = 0x40;
const SIGNATURE = 0xbeda107f;
const IMAGE_TYPE_OFFSET = 0x4c;
const DISK_SIZE_OFFSET = 0x170;
/** Normal (dynamic) and fixed images; undo and differencing images name a parent. */
const STANDALONE_TYPES = new Set([1, 2]);

export const vdiInspector: FormatInspector = {
  format: 'vdi',

  async matches(file) {
    if (file.size < DISK_SIZE_OFFSET + 8) return false;
    return (await file.read(SIGNATURE_OFFSET, 4)).readUInt32LE(0) === SIGNATURE;
  },

  async inspect(file) {
    const header = await file.read(0, DISK_SIZE_OFFSET + 8);
    const imageType = header.readUInt32LE(IMAGE_TYPE_OFFSET);
    return {
      virtualSize: readU64(header, DISK_SIZE_OFFSET, 'LE'),
      safetyProblems: STANDALONE_TYPES.has(imageType) ? [] : [`VDI image type ${imageType} depends on a parent image`],
    };
  },
};
