import { open, type FileHandle } from 'node:fs/promises';
import type { DiskFormat } from './inspector.js';

/**
 * A header that claimed a format but does not parse as one. Inspection reports it as a safety
 * problem: a file we cannot fully read cannot be shown to be safe.
 */
export class MalformedImage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedImage';
  }
}

/** Random access to an image file: exact reads at offsets, never the whole file. */
export class ImageFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<ImageFile> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new ImageFile(handle, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Whether the file holds `magic` at `offset`. */
  async hasBytes(offset: number, magic: Buffer): Promise<boolean> {
    if (offset < 0 || offset + magic.length > this.size) return false;
    return (await this.read(offset, magic.length)).equals(magic);
  }

  /** Exactly `length` bytes at `offset`; a header that points past the end is malformed. */
  async read(offset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new MalformedImage(`a header points at bytes ${offset}+${length}, outside the ${this.size}-byte file`);
    }
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new MalformedImage(`short read at ${offset}: ${bytesRead} of ${length} bytes`);
    return buffer;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A u64 as a number; sizes past 2^53 cannot be real and are treated as a malformed header. */
export function readU64(buffer: Buffer, offset: number, endian: 'BE' | 'LE'): number {
  const value = endian === 'BE' ? buffer.readBigUInt64BE(offset) : buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedImage(`64-bit field at ${offset} is out of range: ${value}`);
  return Number(value);
}

/** What a format's inspector learns once its magic has matched. */
export interface FormatFindings {
  readonly virtualSize: number;
  readonly safetyProblems: readonly string[];
}

/** One disk format family: a cheap magic check, then a header walk for the size and safety problems. */
export interface FormatInspector {
  readonly format: DiskFormat;
  matches(file: ImageFile): Promise<boolean>;
  /** Throws MalformedImage (or a RangeError) when the headers do not parse. */
  inspect(file: ImageFile): Promise<FormatFindings>;
}
