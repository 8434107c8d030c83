/**
 * What every group of server actions shares (Nova's compute API decorators check_instance_state,
 * check_instance_lock and the instance action record): a state transition as a compare-and-set
 * that names the blocking state on 409, the lock check, the host driver's capability (501), the
 * action log and the agent/conductor APIs to cast to.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { Conflict } from '../../common/errors/errors.js';
import type { ComputeAgentApi } from '../agent/rpc-api.js';
import type { ComputeTaskApi } from '../conductor/rpc-api.js';
import type { ExpectedState, InstanceChanges } from '../db/instance-state-compare-and-set.js';
import type { MigrationStore } from '../db/migration-store.js';
import type { NodeStore } from '../db/node-store.js';
import type { ServerGroupStore } from '../db/server-group-store.js';
import type { InstanceActionLog, InstanceActionName } from '../actions/instance-actions.js';
import { requireCapability } from '../virt/capabilities.js';
import { CAPABILITY_OF_ACTION } from './driver-support.js';
import type { Server } from './server.js';
import type { ServerStore } from '../db/server-store.js';

export interface ActionSupportDeps {
  readonly store: ServerStore;
  readonly nodes: NodeStore;
  readonly migrations: MigrationStore;
  readonly serverGroups: ServerGroupStore;
  readonly actions: InstanceActionLog;
  readonly computeAgentApi: ComputeAgentApi;
  readonly computeTaskApi: ComputeTaskApi;
  readonly now: () => Date;
}

export class ActionSupport {
  constructor(readonly deps: ActionSupportDeps) {}

  get agents(): ComputeAgentApi {
    return this.deps.computeAgentApi;
  }

  get conductor(): ComputeTaskApi {
    return this.deps.computeTaskApi;
  }

  /** The lock check, the host driver's capability, then the compare-and-set; a lost race or a wrong state is 409 naming the state found. */
  async transition(context: RequestContext, server: Server, action: string, expected: ExpectedState, changes: InstanceChanges): Promise<void> {
    checkLock(context, server);
    await this.requireDriverSupport(server, action, expected);
    if (!(await this.deps.store.casState(server.row.uuid, expected, changes, this.deps.now()))) {
      await this.refuse(action, server.row.uuid, server, expected);
    }
  }

  /** An unconditional change of a live server (lock, reset-state). */
  async set(server: Server, changes: InstanceChanges): Promise<void> {
    if (!(await this.deps.store.casState(server.row.uuid, {}, changes, this.deps.now()))) {
      await this.deps.store.get(server.row.uuid);
    }
  }

  record(context: RequestContext, uuid: string, action: InstanceActionName): Promise<void> {
    return this.deps.actions.record(context, uuid, action);
  }

  /** Nova's check_instance_state without a transition: 409 naming the state that blocks `action`. */
  async requireState(server: Server, action: string, expected: ExpectedState): Promise<void> {
    const { vm_state: vmState, task_state: taskState } = server.row;
    const vmOk = expected.vmState === undefined || (expected.vmState as readonly string[]).includes(vmState);
    const taskOk = expected.taskState === undefined || (expected.taskState as readonly (string | null)[]).includes(taskState);
    if (!vmOk || !taskOk) await this.refuse(action, server.row.uuid, server, expected);
  }

  /**
   * Nova's check_instance_lock and check_instance_state before an action validates its arguments:
   * a locked or wrong-state server is 409 before a bad image is 400. The compare-and-set that
   * follows the validation checks the state again.
   */
  async guard(context: RequestContext, server: Server, action: string, expected: ExpectedState): Promise<void> {
    checkLock(context, server);
    await this.requireState(server, action, expected);
    await this.requireDriverSupport(server, action, expected);
  }

  /**
   * Nova's 501 for an action the driver of the server's host does not offer (as that host last
   * reported it), after the 409 of a wrong state, as Nova's state check runs before the driver's.
   */
  async requireDriverSupport(server: Server, action: string, expected: ExpectedState): Promise<void> {
    const flag = CAPABILITY_OF_ACTION[action];
    if (flag === undefined || server.row.host === null) return;
    const capabilities = await this.deps.nodes.capabilitiesOf(server.row.host);
    if (capabilities?.[flag] !== false) return;
    await this.requireState(server, action, expected);
    requireCapability(capabilities, flag);
  }

  /** Re-reads the server and names the state that blocked the action, as Nova's InstanceInvalidState. */
  async refuse(action: string, uuid: string, stale: Server, expected: ExpectedState): Promise<never> {
    const current = (await this.deps.store.get(uuid).catch(() => stale)).row;
    const vmBlocks = expected.vmState !== undefined && !(expected.vmState as readonly string[]).includes(current.vm_state);
    // Nova prints Python's None for no task.
    const [attr, state] = vmBlocks ? ['vm_state', current.vm_state] : ['task_state', current.task_state ?? 'None'];
    throw new Conflict(`Cannot '${action}' instance ${uuid} while it is in ${attr} ${state}`);
  }
}

/** Nova's check_instance_lock: a locked server refuses every action but from an admin. */
export function checkLock(context: RequestContext, server: Server): void {
  if (server.row.locked && !(context.isAdmin ?? false)) throw new Conflict(`Instance ${server.row.uuid} is locked`);
}

/** Whether the server boots from a volume (Nova's is_volume_backed_instance): it has no image of its own. */
export function isVolumeBacked(server: Server): boolean {
  // Nova's is_volume_backed_instance: no image, or a root disk that is a volume (a server booted
  // from a volume snapshot's image, or rebuilt at 2.93, shows that image and still boots from it).
  return server.row.image_ref === '' || server.volumes.some((volume) => volume.root);
}

/** The server's host; a server never scheduled has none and is not ready for host actions (409). */
export function hostOf(server: Server): string {
  if (server.row.host === null) throw new Conflict(`Instance ${server.row.uuid} is not ready`);
  return server.row.host;
}
