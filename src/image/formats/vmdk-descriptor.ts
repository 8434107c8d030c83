import { MalformedImage } from './image-file.js';

/** One extent line: `RW 102400 SPARSE "disk.vmdk"` or `RW 10240 FLAT "disk-flat.vmdk" 0`. */
export interface VmdkExtent {
  readonly access: string;
  readonly sectors: number;
  readonly type: string;
  readonly fileName: string | undefined;
}

export interface VmdkDescriptor {
  readonly createType: string | undefined;
  readonly extents: readonly VmdkExtent[];
}

const EXTENT_ACCESS = new Set(['rw', 'rdonly', 'noaccess']);
const EXTENT_LINE = /^(\S+)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)")?(?:\s+\d+)?$/;

/**
 * Parses a VMDK text descriptor cautiously, as Glance does: every line must be a comment, a
 * `ddb.*` entry, a `key=value` header field or an extent; anything else makes the image malformed.
 */
export function parseVmdkDescriptor(bytes: Buffer): VmdkDescriptor {
  // The descriptor is NUL-padded to whole sectors.
  const text = bytes.toString('latin1').replace(/\0+$/, '');
  if (/[^\t\n\r\x20-\x7e]/.test(text)) throw new MalformedImage('VMDK descriptor is not ASCII text');
  let createType: string | undefined;
  const extents: VmdkExtent[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.toLowerCase().startsWith('ddb')) continue;
    const extent = EXTENT_LINE.exec(line);
    if (extent && EXTENT_ACCESS.has(extent[1]!.toLowerCase())) {
      const sectors = Number(extent[2]);
      if (!Number.isSafeInteger(sectors)) throw new MalformedImage(`VMDK extent size is out of range: ${extent[2]}`);
      extents.push({ access: extent[1]!, sectors, type: extent[3]!.toUpperCase(), fileName: extent[4] });
      continue;
    }
    const field = /^(\w+)=(.*)$/.exec(line);
    if (!field) throw new MalformedImage(`unsupported line in VMDK descriptor: ${JSON.stringify(line.slice(0, 80))}`);
    if (field[1]!.toLowerCase() === 'createtype') createType = field[2]!.replace(/^"|"$/g, '');
  }
  return { createType, extents };
}
