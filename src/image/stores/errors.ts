import { NimbusError, PayloadTooLarge } from '../../common/errors/errors.js';

/** Image data over the configured cap (Glance's image_size_cap): the upload is refused and its bytes removed. */
export class ImageTooLarge extends PayloadTooLarge {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`Image exceeds the storage limit of ${maxBytes} bytes.`);
    this.maxBytes = maxBytes;
  }
}

/** A byte range the data cannot serve (HTTP 416), with the size the client can ask within (RFC 9110 §15.5.17). */
export class RangeNotSatisfiable extends NimbusError {
  constructor(size: number, message = 'Requested range not satisfiable') {
    super(416, message, { headers: { 'content-range': `bytes */${size}` } });
  }
}
