import type { FormatInspector } from './image-file.js';

/** QED: a QEMU format that can name a backing file; nothing supports it, so its header is refused. */
const QED_MAGIC = Buffer.from('QED\0', 'latin1');

/** The fallback when no other header matched: the bytes are the disk. */
export const rawInspector: FormatInspector = {
  format: 'raw',

  matches: async () => true,

  async inspect(file) {
    const qed = await file.hasBytes(0, QED_MAGIC);
    return { virtualSize: file.size, safetyProblems: qed ? ['QED image (a format that can name a backing file)'] : [] };
  },
};
