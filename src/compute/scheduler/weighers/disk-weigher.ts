/** DiskWeigher: more free local disk wins (Nova's free_disk_mb, without the ratio). */
import type { HostWeigher } from './weigher.js';

export const diskWeigher: HostWeigher = {
  name: 'DiskWeigher',
  defaultMultiplier: 1.0,
  weigh: (host) => (host.localGb - host.localGbUsed) * 1024,
};
