/** RAMWeigher: more free RAM wins (spread); a negative multiplier fills hosts up (stack). */
import type { HostWeigher } from './weigher.js';

export const ramWeigher: HostWeigher = {
  name: 'RAMWeigher',
  defaultMultiplier: 1.0,
  // Nova weighs free_ram_mb, which ignores the allocation ratio.
  weigh: (host) => host.memoryMb - host.memoryMbUsed,
};
