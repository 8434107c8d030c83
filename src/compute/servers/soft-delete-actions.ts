/**
 * Delete as `[DEFAULT] reclaim_instance_interval` makes it (Nova's servers _delete, soft_delete,
 * restore and force_delete): above 0 a launched server on a host is soft-deleted (powered off,
 * SOFT_DELETED, restorable) and its agent reclaims it after the interval; forceDelete and a
 * delete of one already soft-deleted delete it at once; otherwise delete is the plain one.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { checkLock, type ActionSupport } from './action-support.js';
import type { DeleteHooks, ServerActions } from './server-actions.js';
import type { Server } from './server.js';

/** Shelved servers, never-launched ones and those already soft-deleted are deleted outright. */
const DELETED_OUTRIGHT: readonly string[] = [VmState.SHELVED, VmState.SHELVED_OFFLOADED, VmState.SOFT_DELETED];

export class SoftDeleteActions {
  constructor(
    private readonly support: ActionSupport,
    private readonly actions: ServerActions,
    private readonly onDelete: DeleteHooks,
    /** `[DEFAULT] reclaim_instance_interval`, seconds. */
    private readonly reclaimSeconds: number,
  ) {}

  /** DELETE /servers/{id}. */
  async delete(context: RequestContext, server: Server): Promise<void> {
    const { row } = server;
    if (this.reclaimSeconds <= 0 || row.host === null || row.launched_at === null || DELETED_OUTRIGHT.includes(row.vm_state)) {
      await this.actions.delete(context, server);
      return;
    }
    checkLock(context, server);
    await this.onDelete.before(context, server);
    await this.support.transition(context, server, 'soft_delete', {}, { task_state: TaskState.SOFT_DELETING });
    await this.support.record(context, row.uuid, InstanceActionName.DELETE);
    await this.support.agents.cast(row.host, 'soft_delete_instance', { instanceUuid: row.uuid });
  }

  /** forceDelete: at once, soft-deleted or not. */
  forceDelete(context: RequestContext, server: Server): Promise<void> {
    return this.actions.delete(context, server);
  }

  /** restore: a SOFT_DELETED server powered on again (409 in any other state). */
  async restore(context: RequestContext, server: Server): Promise<void> {
    const { host, uuid } = server.row;
    const expected = { vmState: [VmState.SOFT_DELETED], taskState: [null] };
    if (host === null) {
      await this.support.transition(context, server, 'restore', expected, { vm_state: VmState.ACTIVE });
      await this.support.record(context, uuid, InstanceActionName.RESTORE);
      return;
    }
    await this.support.transition(context, server, 'restore', expected, { task_state: TaskState.RESTORING });
    await this.support.record(context, uuid, InstanceActionName.RESTORE);
    await this.support.agents.cast(host, 'restore_instance', { instanceUuid: uuid });
  }
}
