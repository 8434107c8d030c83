import type { DiskFormat } from './inspector.js';

/** Formats whose declared content is plain bytes: the hypervisor is told not to parse any header. */
const RAW_LIKE: ReadonlySet<DiskFormat> = new Set(['raw', 'ami', 'ari', 'aki', 'ploop']);
/** What a raw-like or iso declaration may hold: an ISO is raw bytes to a hypervisor. */
const PLAIN_CONTENT: ReadonlySet<DiskFormat> = new Set(['raw', 'iso']);

/**
 * Whether data detected as `detected` may be stored under the declared `disk_format` (Glance's
 * rules). The attack this stops: a "raw" image that is really a qcow2 naming a host file.
 */
export function formatMatches(declared: DiskFormat, detected: DiskFormat): boolean {
  if (RAW_LIKE.has(declared) || declared === 'iso') return PLAIN_CONTENT.has(detected);
  return declared === detected;
}
