/** CPUWeigher: more free vCPUs (under cpu_allocation_ratio) wins. */
import type { HostWeigher } from './weigher.js';

export const cpuWeigher: HostWeigher = {
  name: 'CPUWeigher',
  defaultMultiplier: 1.0,
  weigh: (host) => host.vcpus * host.cpuAllocationRatio - host.vcpusUsed,
};
