import type { RequestContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Conflict } from '../../common/errors/errors.js';
import type { ExpectedState, InstanceChanges } from '../db/instance-state-compare-and-set.js';
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState } from '../state/task-states.js';
import { ALLOW_HARD_REBOOT, ALLOW_SOFT_REBOOT, VmState } from '../state/vm-states.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';
import { PowerState } from '../virt/power-state.js';
import { checkLock, hostOf, type ActionSupport } from './action-support.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import type { Server } from './server.js';

/**
 * Nova's compute API basic actions: start, stop, reboot, lock, unlock, reset-state, delete and
 * the console. Each state change is a compare-and-set on (vm_state, task_state) — Nova's
 * check_instance_state plus expected_task_state in one step, so of two concurrent actions one
 * wins and the other gets 409 naming the state it met — then an action record and a cast to the
 * agent on the server's host.
 */
/** What other action groups do around a delete. */
export interface DeleteHooks {
  /** Before a hosted server is deleted (a resize awaiting confirmation is confirmed). */
  readonly before: (context: RequestContext, server: Server) => Promise<void>;
  /** Once the delete is under way (a shelved server's snapshot image goes). */
  readonly after: (context: RequestContext, server: Server) => Promise<void>;
}

export class ServerActions {
  constructor(
    private readonly support: ActionSupport,
    private readonly onDelete: DeleteHooks,
  ) {}

  async stop(context: RequestContext, server: Server): Promise<void> {
    const host = hostOf(server);
    await this.support.transition(context, server, 'stop', { vmState: [VmState.ACTIVE, VmState.ERROR], taskState: [null] }, { task_state: TaskState.POWERING_OFF });
    await this.support.record(context, server.row.uuid, InstanceActionName.STOP);
    await this.support.agents.cast(host, 'stop_instance', { instanceUuid: server.row.uuid, clean: true });
  }

  async start(context: RequestContext, server: Server): Promise<void> {
    const host = hostOf(server);
    await this.support.transition(context, server, 'start', { vmState: [VmState.STOPPED], taskState: [null] }, { task_state: TaskState.POWERING_ON });
    await this.support.record(context, server.row.uuid, InstanceActionName.START);
    await this.support.agents.cast(host, 'start_instance', { instanceUuid: server.row.uuid });
  }

  async reboot(context: RequestContext, server: Server, kind: 'SOFT' | 'HARD'): Promise<void> {
    const host = hostOf(server);
    const expected: ExpectedState =
      kind === 'SOFT'
        ? { vmState: ALLOW_SOFT_REBOOT, taskState: [null] }
        : { vmState: ALLOW_HARD_REBOOT, taskState: [null, ...SOFT_REBOOT_STATES, ...HARD_REBOOT_STATES] };
    await this.support.transition(context, server, 'reboot', expected, { task_state: kind === 'SOFT' ? TaskState.REBOOTING : TaskState.REBOOTING_HARD });
    await this.support.record(context, server.row.uuid, InstanceActionName.REBOOT);
    await this.support.agents.cast(host, 'reboot_instance', { instanceUuid: server.row.uuid, rebootType: kind });
  }

  /** Locks; the record says who may unlock (an admin's lock only an admin). */
  async lock(context: RequestContext, server: Server, reason: string | null = null): Promise<void> {
    const by = (context.isAdmin ?? false) && context.projectId !== server.row.project_id ? 'admin' : 'owner';
    await this.support.set(server, { locked: true, locked_by: by, locked_reason: reason });
    await this.support.record(context, server.row.uuid, InstanceActionName.LOCK);
  }

  async unlock(context: RequestContext, server: Server): Promise<void> {
    await this.support.set(server, { locked: false, locked_by: null, locked_reason: null });
    await this.support.record(context, server.row.uuid, InstanceActionName.UNLOCK);
  }

  /** os-resetState: the admin's override, any state to active or error with no task. */
  async resetState(server: Server, state: 'active' | 'error'): Promise<void> {
    await this.support.set(server, { vm_state: state, task_state: null });
  }

  /**
   * Delete (and forceDelete: there is no soft delete here). A server never scheduled has no
   * host to ask, so it is deleted here, as Nova's local delete; otherwise the task goes to
   * deleting and the agent terminates it.
   */
  async delete(context: RequestContext, server: Server): Promise<void> {
    checkLock(context, server);
    const { uuid, host } = server.row;
    const { store } = this.support.deps;
    if (host === null) {
      const now = toDbTimestamp(this.support.deps.now());
      const gone: InstanceChanges = { vm_state: VmState.DELETED, task_state: null, power_state: PowerState.NOSTATE, deleted: true, deleted_at: now, terminated_at: now };
      const unscheduled: ExpectedState = { taskState: [null, TaskState.SCHEDULING] };
      if (!(await store.casState(uuid, unscheduled, gone))) {
        await this.support.refuse('delete', uuid, server, unscheduled);
      }
      await this.support.deps.serverGroups.removeMember(uuid);
      await this.support.record(context, uuid, InstanceActionName.DELETE);
      await this.onDelete.after(context, server);
      return;
    }
    await this.onDelete.before(context, server);
    // Nova deletes from any task state, a delete already under way included (the second is 204 and casts again; the agent's lock makes it a no-op).
    await this.support.transition(context, server, 'delete', {}, { task_state: TaskState.DELETING });
    await this.onDelete.after(context, server);
    await this.support.record(context, uuid, InstanceActionName.DELETE);
    await this.support.agents.cast(host, 'terminate_instance', { instanceUuid: uuid });
  }

  /** The guest's console; a server without a host (or not running) is not ready: 409. */
  async consoleOutput(server: Server, length: number | undefined): Promise<string> {
    if (server.row.host === null || server.row.vm_state === VmState.BUILDING) throw new Conflict(`Instance ${server.row.uuid} is not ready`);
    return this.support.agents.call(server.row.host, 'get_console_output', length === undefined ? { instanceUuid: server.row.uuid } : { instanceUuid: server.row.uuid, length });
  }

  /** The guest's figures from its host (Nova's check_instance_host: none is 409); a guest not running is the host's 409. */
  async diagnostics(server: Server): Promise<InstanceDiagnostics> {
    if (server.row.host === null) throw new Conflict(`Instance ${server.row.uuid} is not ready`);
    return this.support.agents.call(server.row.host, 'get_diagnostics', { instanceUuid: server.row.uuid });
  }
}
