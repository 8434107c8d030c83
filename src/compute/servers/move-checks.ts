/** What the live migration and evacuation APIs check before they touch a server: hosts and their services. */
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../scheduler-service/host-source.js';
import type { ActionSupport } from './action-support.js';

/** Whether the host has a compute node (Nova's ComputeNodeList.get_all_by_host finds one). */
export async function hasComputeNode(support: ActionSupport, host: string): Promise<boolean> {
  const row = await support.deps.store.db.selectFrom('compute_nodes').select('host').where('host', '=', host).executeTakeFirst();
  return row !== undefined;
}

/** The host's nova-compute service: undefined when there is none; `up` as the service group sees it. */
export async function computeService(services: Pick<ServiceRegistry, 'list'>, host: string): Promise<{ readonly up: boolean } | undefined> {
  const [service] = await services.list({ binary: COMPUTE_BINARY, host });
  return service;
}
