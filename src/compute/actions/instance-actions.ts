import type { Kysely, Selectable } from 'kysely';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { ComputeTables, InstanceActionEventsTable, InstanceActionsTable } from '../db/tables.js';

export type InstanceAction = Selectable<InstanceActionsTable>;
export type InstanceActionEvent = Selectable<InstanceActionEventsTable>;

/** Nova's InstanceActionAPI names for what the API records. */
export const InstanceActionName = {
  CREATE: 'create',
  DELETE: 'delete',
  START: 'start',
  STOP: 'stop',
  REBOOT: 'reboot',
  LOCK: 'lock',
  UNLOCK: 'unlock',
  CREATE_IMAGE: 'createImage',
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
} as const;
export type InstanceActionName = (typeof InstanceActionName)[keyof typeof InstanceActionName];

/** A page of the 2.58 list: at most `limit` after the `marker` request id, changed in a time window. */
export interface InstanceActionPage {
  readonly limit?: number;
  readonly marker?: string;
  readonly changesSince?: string;
  readonly changesBefore?: string;
}

/**
 * The instance action log (os-instance-actions): one action per request that changes a server,
 * keyed by the request id; the workers add events (compute_<verb>) to it later.
 */
export class InstanceActionLog {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async record(context: RequestContext, instanceUuid: string, action: InstanceActionName, db: Kysely<ComputeTables> = this.#db): Promise<void> {
    const now = toDbTimestamp(this.now());
    await db
      .insertInto('compute_instance_actions')
      .values({
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
      })
      .execute();
  }

  /** Newest first (created_at, id), as Nova's actions_get; a 2.58 page after the `marker` request id. */
  async list(instanceUuid: string, page: InstanceActionPage = {}): Promise<InstanceAction[]> {
    if (page.limit === 0) return [];
    let select = this.#db.selectFrom('compute_instance_actions').selectAll().where('instance_uuid', '=', instanceUuid);
    if (page.changesSince !== undefined) select = select.where('updated_at', '>=', page.changesSince);
    if (page.changesBefore !== undefined) select = select.where('updated_at', '<=', page.changesBefore);
    if (page.marker !== undefined) {
      const marker = await this.#find(instanceUuid, page.marker);
      if (marker === undefined) throw new BadRequest(`Marker ${page.marker} could not be found.`);
      select = select.where((eb) => eb.or([eb('created_at', '<', marker.created_at), eb.and([eb('created_at', '=', marker.created_at), eb('id', '<', marker.id)])]));
    }
    select = select.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return (page.limit === undefined ? select : select.limit(page.limit)).execute();
  }

  #find(instanceUuid: string, requestId: string): Promise<InstanceAction | undefined> {
    return this.#db
      .selectFrom('compute_instance_actions')
      .selectAll()
      .where('instance_uuid', '=', instanceUuid)
      .where('request_id', '=', requestId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  async get(instanceUuid: string, requestId: string): Promise<{ action: InstanceAction; events: InstanceActionEvent[] }> {
    const action = await this.#find(instanceUuid, requestId);
    if (action === undefined) throw new NotFound(`Action ${requestId} not found`);
    const events = await this.#db.selectFrom('compute_instance_action_events').selectAll().where('action_id', '=', action.id).orderBy('id').execute();
    return { action, events };
  }
}
