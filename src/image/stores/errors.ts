import { NimbusError, PayloadTooLarge } from '../../common/errors/errors.js';

/** Image data over the configured cap (Glance's image_size_cap): the upload is refused and its bytes removed. */
export class ImageTooLarge extends PayloadTooLarge {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`Image exceeds the storage limit of ${maxBytes} bytes.`);
    this.maxBytes = maxBytes;
  }
}

/**
 * The store's media ran out of space (glance_store's StorageFull, on ENOSPC or EFBIG): 413 in
 * Glance's words. The store has removed what it had written.
 */
export class StorageFull extends PayloadTooLarge {
  constructor() {
    super('Image storage media is full: There is not enough disk space on the image storage media.');
  }
}

/** A byte range the data cannot serve (HTTP 416), with the size the client can ask within (RFC 9110 §15.5.17). */
export class RangeNotSatisfiable extends NimbusError {
  constructor(size: number, message = 'Requested range not satisfiable') {
    super(416, message, { headers: { 'content-range': `bytes */${size}` } });
  }
}
