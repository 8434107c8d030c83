/** What the live migration and evacuation APIs check before they touch a server: hosts and their services. */
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../scheduler-service/host-source.js';
import type { ExpectedState } from '../state/instance-state-cas.js';
import type { ActionSupport } from './action-support.js';
import type { Server } from './server.js';

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

/** Nova's check_instance_state without a transition: 409 naming the state that blocks `action`. */
export async function requireState(support: ActionSupport, server: Server, action: string, expected: ExpectedState): Promise<void> {
  const { vm_state: vmState, task_state: taskState } = server.row;
  const vmOk = expected.vmState === undefined || (expected.vmState as readonly string[]).includes(vmState);
  const taskOk = expected.taskState === undefined || (expected.taskState as readonly (string | null)[]).includes(taskState);
  if (!vmOk || !taskOk) await support.refuse(action, server.row.uuid, server, expected);
}
