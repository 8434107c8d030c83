import { RangeNotSatisfiable } from '../../stores/errors.js';
import type { ByteRange } from '../../stores/image-store.js';

/**
 * One `Range: bytes=…` range of data `size` bytes long: `a-b`, `a-` or the suffix `-n`, the end
 * clipped to the data. No header is the whole data (undefined); several ranges, a malformed
 * header or a start past the end are 416, as webob answers Glance.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === '')) throw new RangeNotSatisfiable(size);
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw new RangeNotSatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw new RangeNotSatisfiable(size);
  return { start, end };
}
