/** The instance action log (os-instance-actions) in the API's terms, over the action store. */
import type { RequestContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { NotFound } from '../../common/errors/errors.js';
import type { ActionStore, InstanceAction, InstanceActionEvent, InstanceActionPage, NewInstanceAction } from '../db/action-store.js';

export type { InstanceAction, InstanceActionEvent, InstanceActionPage } from '../db/action-store.js';

/** Nova's InstanceActionAPI names for what the API records. */
export const InstanceActionName = {
  CREATE: 'create',
  DELETE: 'delete',
  RESTORE: 'restore',
  START: 'start',
  STOP: 'stop',
  REBOOT: 'reboot',
  LOCK: 'lock',
  UNLOCK: 'unlock',
  CREATE_IMAGE: 'createImage',
  BACKUP: 'createBackup',
  SHELVE: 'shelve',
  SHELVE_OFFLOAD: 'shelveOffload',
  UNSHELVE: 'unshelve',
  PAUSE: 'pause',
  UNPAUSE: 'unpause',
  SUSPEND: 'suspend',
  RESUME: 'resume',
  RESCUE: 'rescue',
  UNRESCUE: 'unrescue',
  REBUILD: 'rebuild',
  RESIZE: 'resize',
  MIGRATE: 'migrate',
  CONFIRM_RESIZE: 'confirmResize',
  REVERT_RESIZE: 'revertResize',
  LIVE_MIGRATION: 'live-migration',
  LIVE_MIGRATION_FORCE_COMPLETE: 'live_migration_force_complete',
  LIVE_MIGRATION_CANCEL: 'live_migration_cancel',
  EVACUATE: 'evacuate',
  ATTACH_VOLUME: 'attach_volume',
  DETACH_VOLUME: 'detach_volume',
  ATTACH_INTERFACE: 'attach_interface',
  DETACH_INTERFACE: 'detach_interface',
} as const;
export type InstanceActionName = (typeof InstanceActionName)[keyof typeof InstanceActionName];

/**
 * The instance action log: one action per request that changes a server, keyed by the request
 * id; the workers add events (compute_<verb>) to it later, through the conductor.
 */
export class InstanceActionLog {
  constructor(
    readonly store: ActionStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(context: RequestContext, instanceUuid: string, action: InstanceActionName): Promise<void> {
    await this.store.insert(this.newAction(context, instanceUuid, action));
  }

  /** The row of an action this request starts now. */
  newAction(context: RequestContext, instanceUuid: string, action: InstanceActionName): NewInstanceAction {
    const now = toDbTimestamp(this.now());
    return {
      instance_uuid: instanceUuid,
      action,
      request_id: context.requestId,
      user_id: context.userId ?? null,
      project_id: context.projectId ?? null,
      start_time: now,
      finish_time: null,
      message: null,
      created_at: now,
      updated_at: now,
    };
  }

  list(instanceUuid: string, page: InstanceActionPage = {}): Promise<InstanceAction[]> {
    return this.store.list(instanceUuid, page);
  }

  async get(instanceUuid: string, requestId: string): Promise<{ action: InstanceAction; events: InstanceActionEvent[] }> {
    const action = await this.store.find(instanceUuid, requestId);
    if (action === undefined) throw new NotFound(`Action ${requestId} not found`);
    return { action, events: await this.store.events(action.id) };
  }
}
