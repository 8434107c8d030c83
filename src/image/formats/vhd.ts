import { readU64, type FormatInspector, type ImageFile } from './image-file.js';

// Microsoft's VHD specification: a 512-byte big-endian footer, copied to the start of dynamic and
// differencing disks; fixed disks have it only at the end.
const MAGIC = Buffer.from('conectix', 'latin1');
const FOOTER = 512;
const DISK_TYPE_DIFFERENCING = 4;

/** Where the footer is: the start for dynamic and differencing disks, the end for fixed ones. */
async function footerOffset(file: ImageFile): Promise<number | undefined> {
  if (await file.hasBytes(0, MAGIC)) return 0;
  if (file.size >= FOOTER && (await file.hasBytes(file.size - FOOTER, MAGIC))) return file.size - FOOTER;
  return undefined;
}

/** Virtual PC disks (QEMU's "vpc"). A differencing disk names a parent image, so it is refused. */
export const vhdInspector: FormatInspector = {
  format: 'vhd',

  matches: async (file) => (await footerOffset(file)) !== undefined,

  async inspect(file) {
    const footer = await file.read((await footerOffset(file)) ?? 0, FOOTER);
    const diskType = footer.readUInt32BE(60);
    return {
      // "Current size", which QEMU reports for images it or Hyper-V wrote.
      virtualSize: readU64(footer, 48, 'BE'),
      safetyProblems: diskType === DISK_TYPE_DIFFERENCING ? ['VHD is a differencing disk that names a parent image'] : [],
    };
  },
};
