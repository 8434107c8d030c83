import { NimbusError, PayloadTooLarge } from '../../common/errors/errors.js';

/** Image data over the configured cap (Glance's image_size_cap): the upload is refused and its bytes removed. */
export class ImageTooLarge extends PayloadTooLarge {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`Image exceeds the storage limit of ${maxBytes} bytes.`);
    this.maxBytes = maxBytes;
  }
}

/** A byte range that starts past the end of the data (HTTP 416). */
export class RangeNotSatisfiable extends NimbusError {
  constructor(message: string) {
    super(416, message);
  }
}
