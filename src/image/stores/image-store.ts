import type { Readable } from 'node:stream';

/** Data written to the staging area, hashed as it streamed, not yet part of the store. */
export interface StagedImage {
  /** A local file holding the bytes, for format inspection before they are committed. */
  readonly path: string;
  readonly size: number;
  /** Hex digests, computed while the data streamed in (Glance's `checksum` and `os_hash_value`). */
  readonly md5: string;
  readonly sha512: string;
  /** Moves the data into the store under the image id (atomic: a rename). */
  commit(): Promise<void>;
  /** Removes the staged data; safe to call after a failed or completed commit. */
  abort(): Promise<void>;
}

export interface StageLimits {
  /** More bytes than this fail the write with ImageTooLarge and leave nothing behind. */
  readonly maxBytes: number;
}

/** An inclusive byte range, as an HTTP Range header names it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where image data lives (Glance's glance_store). Writes stream to a staging file and become
 * visible only on commit, so an interrupted upload never leaves an image with partial data.
 */
export interface ImageStore {
  /** Streams `data` to staging. Rejects (with the staged bytes removed) if the stream errors or exceeds the limit. */
  stage(imageId: string, data: Readable, limits: StageLimits): Promise<StagedImage>;
  /** The committed data, whole or a range; NotFound when the image has none. */
  open(imageId: string, range?: ByteRange): Promise<Readable>;
  /** Removes the image's data; nothing to remove is not an error. */
  delete(imageId: string): Promise<void>;
}
