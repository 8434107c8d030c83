import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ImageTooLarge } from './errors.js';

/** What passed through a MeasuringStream. */
export interface Measurement {
  readonly size: number;
  readonly md5: string;
  readonly sha512: string;
}

/**
 * Passes bytes through unchanged while counting and hashing them (md5 for Glance's `checksum`,
 * sha512 for `os_hash_value`), and fails with ImageTooLarge the moment the count passes the cap,
 * so an oversized upload stops at the cap instead of after the whole body.
 */
export class MeasuringStream extends Transform {
  private readonly maxBytes: number;
  private readonly md5: Hash = createHash('md5');
  private readonly sha512: Hash = createHash('sha512');
  private size = 0;

  constructor(maxBytes: number) {
    super();
    this.maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new ImageTooLarge(this.maxBytes));
      return;
    }
    this.md5.update(chunk);
    this.sha512.update(chunk);
    callback(null, chunk);
  }

  /** The totals; call once, after the stream has finished. */
  result(): Measurement {
    return { size: this.size, md5: this.md5.digest('hex'), sha512: this.sha512.digest('hex') };
  }
}
