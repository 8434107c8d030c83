/** What the resize and live migration APIs check of a requested destination (its service: scheduler/host-source.ts's computeService). */
import type { ActionSupport } from './action-support.js';

/** Whether the host has a compute node (Nova's ComputeNodeList.get_all_by_host finds one). */
export async function hasComputeNode(support: ActionSupport, host: string): Promise<boolean> {
  return support.deps.nodes.hasHost(host);
}
