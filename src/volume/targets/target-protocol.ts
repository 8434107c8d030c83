/** Which hosts get a volume's local path and which an export (`[volume] target_protocol`). */
import type { VolumeTarget } from './volume-target.js';

export type TargetProtocol = 'auto' | 'file' | 'nbd';

export interface VolumeExportPolicy {
  readonly protocol: TargetProtocol;
  /** The hosts that run on this node and open volumes by their path (`auto`). */
  readonly localHosts: readonly string[];
  /** Absent where qemu-storage-daemon is not installed: only local hosts can attach. */
  readonly target?: VolumeTarget;
}

/** Whether the connector's host reaches the volume through an export rather than its path. */
export function exportsTo(policy: VolumeExportPolicy, host: string): boolean {
  switch (policy.protocol) {
    case 'file':
      return false;
    case 'nbd':
      return true;
    case 'auto':
      return !policy.localHosts.includes(host);
  }
}
