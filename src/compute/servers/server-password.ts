/**
 * The encrypted admin password a guest posts to the metadata service, kept as Nova keeps it
 * (api/metadata/password.py): in the instance's system metadata, split over four keys of at most
 * 255 characters. os-server-password reads it and clears it; nothing else changes the guest.
 */
import type { SystemMetadataChanges } from '../db/system-metadata.js';

const CHUNKS = 4;
const CHUNK_LENGTH = 255;
const keyOf = (index: number) => `password_${index}`;

/** The stored password, or '' when none was posted (or it was cleared). */
export function extractPassword(systemMetadata: Readonly<Record<string, string>>): string {
  return Array.from({ length: CHUNKS }, (_, index) => systemMetadata[keyOf(index)] ?? '').join('');
}

/** The system metadata that stores `password` (Nova's convert_password); '' clears it. */
export function passwordMetadata(password: string): SystemMetadataChanges {
  return Object.fromEntries(Array.from({ length: CHUNKS }, (_, index) => [keyOf(index), password.slice(index * CHUNK_LENGTH, (index + 1) * CHUNK_LENGTH)]));
}
