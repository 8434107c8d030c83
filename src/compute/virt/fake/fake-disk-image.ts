import { Readable } from 'node:stream';
import type { DriverSnapshot } from '../driver.js';
import type { FakeGuest } from './fake-guest.js';

/** Size of a fake snapshot: small, but several stream chunks long. */
export const FAKE_SNAPSHOT_BYTES = 64 * 1024;

/**
 * A snapshot of a fake guest: a raw image whose first sector says what it was taken from and
 * the rest zeros, the same bytes for the same guest state.
 */
export function fakeSnapshot(guest: FakeGuest, host: string): DriverSnapshot {
  const header = [
    'NIMBUS FAKE DISK',
    `instance=${guest.spec.uuid}`,
    `base_image=${guest.spec.image.id}`,
    `host=${host}`,
    `boot_count=${guest.disk.bootCount}`,
    '',
  ].join('\n');
  const bytes = Buffer.alloc(FAKE_SNAPSHOT_BYTES);
  bytes.write(header, 'utf8');
  return { diskFormat: 'raw', containerFormat: 'bare', sizeBytes: bytes.length, data: Readable.from([bytes]) };
}
