import type { RequestContext } from '../../common/context/request-context.js';
import type { ExpectedState } from '../state/instance-state-cas.js';
import { checkLock, type ActionSupport } from './action-support.js';
import type { Server } from './server.js';

/**
 * Nova's check_instance_lock and check_instance_state before an action validates its arguments:
 * a locked or wrong-state server is 409 before a bad image is 400. The compare-and-set that
 * follows the validation checks the state again.
 */
export async function guard(support: ActionSupport, context: RequestContext, server: Server, action: string, expected: ExpectedState): Promise<void> {
  checkLock(context, server);
  const { vm_state: vmState, task_state: taskState } = server.row;
  const vmOk = expected.vmState === undefined || (expected.vmState as readonly string[]).includes(vmState);
  const taskOk = expected.taskState === undefined || (expected.taskState as readonly (string | null)[]).includes(taskState);
  if (!vmOk || !taskOk) await support.refuse(action, server.row.uuid, server, expected);
}
