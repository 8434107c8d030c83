import type { RequestContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Conflict } from '../../common/errors/errors.js';
import type { ComputeAgentApi } from '../agent/compute-agent-api.js';
import { compareAndSetInstanceState, type ExpectedState, type InstanceChanges } from '../state/instance-state-cas.js';
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState } from '../state/task-states.js';
import { ALLOW_HARD_REBOOT, ALLOW_SOFT_REBOOT, VmState } from '../state/vm-states.js';
import { PowerState } from '../virt/power-state.js';
import { InstanceActionName, type InstanceActionLog } from './instance-actions.js';
import type { Server } from './server.js';
import type { ServerStore } from './server-store.js';

export interface ServerActionsDeps {
  readonly store: ServerStore;
  readonly actions: InstanceActionLog;
  readonly computeAgentApi: ComputeAgentApi;
  readonly now: () => Date;
}

/** Who is acting, as the lock and unlock checks need it. */
function isAdmin(context: RequestContext): boolean {
  return context.isAdmin ?? false;
}

/**
 * Nova's compute API state-changing actions: each one a compare-and-set on (vm_state,
 * task_state) — Nova's check_instance_state plus expected_task_state in one step, so of two
 * concurrent actions one wins and the other gets 409 naming the state it met — then an action
 * record and a cast to the agent on the server's host.
 */
export class ServerActions {
  constructor(private readonly deps: ServerActionsDeps) {}

  async stop(context: RequestContext, server: Server): Promise<void> {
    const host = hostOf(server);
    await this.#transition(context, server, 'stop', { vmState: [VmState.ACTIVE, VmState.ERROR], taskState: [null] }, { task_state: TaskState.POWERING_OFF });
    await this.deps.actions.record(context, server.row.uuid, InstanceActionName.STOP);
    await this.deps.computeAgentApi.stopInstance(host, server.row.uuid, { clean: true });
  }

  async start(context: RequestContext, server: Server): Promise<void> {
    const host = hostOf(server);
    await this.#transition(context, server, 'start', { vmState: [VmState.STOPPED], taskState: [null] }, { task_state: TaskState.POWERING_ON });
    await this.deps.actions.record(context, server.row.uuid, InstanceActionName.START);
    await this.deps.computeAgentApi.startInstance(host, server.row.uuid);
  }

  async reboot(context: RequestContext, server: Server, kind: 'SOFT' | 'HARD'): Promise<void> {
    const host = hostOf(server);
    const expected: ExpectedState =
      kind === 'SOFT'
        ? { vmState: ALLOW_SOFT_REBOOT, taskState: [null] }
        : { vmState: ALLOW_HARD_REBOOT, taskState: [null, ...SOFT_REBOOT_STATES, ...HARD_REBOOT_STATES] };
    await this.#transition(context, server, 'reboot', expected, { task_state: kind === 'SOFT' ? TaskState.REBOOTING : TaskState.REBOOTING_HARD });
    await this.deps.actions.record(context, server.row.uuid, InstanceActionName.REBOOT);
    await this.deps.computeAgentApi.rebootInstance(host, server.row.uuid, kind);
  }

  /** Locks; the record says who may unlock (an admin's lock only an admin). */
  async lock(context: RequestContext, server: Server): Promise<void> {
    const by = isAdmin(context) && context.projectId !== server.row.project_id ? 'admin' : 'owner';
    await this.#set(server, { locked: true, locked_by: by });
    await this.deps.actions.record(context, server.row.uuid, InstanceActionName.LOCK);
  }

  async unlock(context: RequestContext, server: Server): Promise<void> {
    await this.#set(server, { locked: false, locked_by: null, locked_reason: null });
    await this.deps.actions.record(context, server.row.uuid, InstanceActionName.UNLOCK);
  }

  /** os-resetState: the admin's override, any state to active or error with no task. */
  async resetState(server: Server, state: 'active' | 'error'): Promise<void> {
    await this.#set(server, { vm_state: state, task_state: null });
  }

  /**
   * Delete (and forceDelete: there is no soft delete here). A server never scheduled has no
   * host to ask, so it is deleted here, as Nova's local delete; otherwise the task goes to
   * deleting and the agent terminates it.
   */
  async delete(context: RequestContext, server: Server): Promise<void> {
    checkLock(context, server);
    const { uuid, host } = server.row;
    if (host === null) {
      const now = toDbTimestamp(this.deps.now());
      const gone: InstanceChanges = { vm_state: VmState.DELETED, task_state: null, power_state: PowerState.NOSTATE, deleted: true, deleted_at: now, terminated_at: now };
      if (!(await compareAndSetInstanceState(this.deps.store.database, uuid, { taskState: [null, TaskState.SCHEDULING] }, gone))) {
        await this.#refuse('delete', uuid, server, { taskState: [null, TaskState.SCHEDULING] });
      }
      await this.deps.store.db.deleteFrom('compute_server_group_members').where('instance_uuid', '=', uuid).execute();
      await this.deps.actions.record(context, uuid, InstanceActionName.DELETE);
      return;
    }
    const notDeleting = taskStatesExcept(TaskState.DELETING);
    await this.#transition(context, server, 'delete', { taskState: notDeleting }, { task_state: TaskState.DELETING });
    await this.deps.actions.record(context, uuid, InstanceActionName.DELETE);
    await this.deps.computeAgentApi.terminateInstance(host, uuid);
  }

  /** The guest's console; a server without a host (or not running) is not ready: 409. */
  async consoleOutput(server: Server, length: number | undefined): Promise<string> {
    if (server.row.host === null || server.row.vm_state === VmState.BUILDING) throw new Conflict(`Instance ${server.row.uuid} is not ready`);
    return this.deps.computeAgentApi.getConsoleOutput(server.row.host, server.row.uuid, length);
  }

  async #transition(context: RequestContext, server: Server, action: string, expected: ExpectedState, changes: InstanceChanges): Promise<void> {
    checkLock(context, server);
    if (!(await compareAndSetInstanceState(this.deps.store.database, server.row.uuid, expected, changes, this.deps.now()))) {
      await this.#refuse(action, server.row.uuid, server, expected);
    }
  }

  async #set(server: Server, changes: InstanceChanges): Promise<void> {
    if (!(await compareAndSetInstanceState(this.deps.store.database, server.row.uuid, {}, changes, this.deps.now()))) {
      await this.deps.store.get(server.row.uuid);
    }
  }

  /** Re-reads the server and names the state that blocked the action, as Nova's InstanceInvalidState. */
  async #refuse(action: string, uuid: string, stale: Server, expected: ExpectedState): Promise<never> {
    const current = (await this.deps.store.get(uuid).catch(() => stale)).row;
    const vmBlocks = expected.vmState !== undefined && !(expected.vmState as readonly string[]).includes(current.vm_state);
    const [attr, state] = vmBlocks ? ['vm_state', current.vm_state] : ['task_state', String(current.task_state)];
    throw new Conflict(`Cannot '${action}' instance ${uuid} while it is in ${attr} ${state}`);
  }
}

/** Nova's check_instance_lock: a locked server refuses every action but from an admin. */
export function checkLock(context: RequestContext, server: Server): void {
  if (server.row.locked && !isAdmin(context)) throw new Conflict(`Instance ${server.row.uuid} is locked`);
}

function hostOf(server: Server): string {
  if (server.row.host === null) throw new Conflict(`Instance ${server.row.uuid} is not ready`);
  return server.row.host;
}

function taskStatesExcept(excluded: TaskState): (TaskState | null)[] {
  return [null, ...Object.values(TaskState).filter((state) => state !== excluded)];
}
