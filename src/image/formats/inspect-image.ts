import { ImageFile, type FormatInspector } from './image-file.js';
import type { ImageInspector, InspectionResult } from './inspector.js';
import { isoInspector } from './iso.js';
import { qcow2Inspector } from './qcow2.js';
import { rawInspector } from './raw.js';
import { vdiInspector } from './vdi.js';
import { vhdInspector } from './vhd.js';
import { vhdxInspector } from './vhdx.js';
import { vmdkInspector } from './vmdk.js';

/** Tried in order; the first match names the format. Raw always matches, so it comes last. */
const INSPECTORS: readonly FormatInspector[] = [qcow2Inspector, vhdxInspector, vhdInspector, vmdkInspector, vdiInspector, isoInspector];

/** An I/O failure (the file vanished, EIO) rather than bytes that do not parse. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

async function inspectAs(inspector: FormatInspector, file: ImageFile): Promise<InspectionResult> {
  try {
    const { virtualSize, safetyProblems } = await inspector.inspect(file);
    return { format: inspector.format, virtualSize, safetyProblems };
  } catch (error) {
    if (isSystemError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { format: inspector.format, virtualSize: 0, safetyProblems: [`${inspector.format} header could not be parsed: ${reason}`] };
  }
}

/**
 * Reads the headers of a local image file: its format, virtual size and safety problems. A file
 * that also carries a second format's header is flagged, since a tool probing it may pick either.
 */
export const inspectImage: ImageInspector = async (path) => {
  const file = await ImageFile.open(path);
  try {
    const matched: FormatInspector[] = [];
    for (const inspector of INSPECTORS) {
      if (await inspector.matches(file)) matched.push(inspector);
    }
    const [first, ...others] = matched;
    const result = await inspectAs(first ?? rawInspector, file);
    if (others.length === 0) return result;
    const alsoLike = others.map((inspector) => inspector.format).join(', ');
    return { ...result, safetyProblems: [...result.safetyProblems, `image also carries a header of: ${alsoLike}`] };
  } finally {
    await file.close();
  }
};
