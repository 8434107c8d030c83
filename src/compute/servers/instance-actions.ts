import type { Kysely, Selectable } from 'kysely';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { NotFound } from '../../common/errors/errors.js';
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
  LIVE_MIGRATION: 'live-migration',
  LIVE_MIGRATION_FORCE_COMPLETE: 'live_migration_force_complete',
  LIVE_MIGRATION_CANCEL: 'live_migration_cancel',
  EVACUATE: 'evacuate',
} as const;
export type InstanceActionName = (typeof InstanceActionName)[keyof typeof InstanceActionName];

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

  /** Newest first, as Nova lists them. */
  list(instanceUuid: string): Promise<InstanceAction[]> {
    return this.#db.selectFrom('compute_instance_actions').selectAll().where('instance_uuid', '=', instanceUuid).orderBy('start_time', 'desc').orderBy('id', 'desc').execute();
  }

  async get(instanceUuid: string, requestId: string): Promise<{ action: InstanceAction; events: InstanceActionEvent[] }> {
    const action = await this.#db
      .selectFrom('compute_instance_actions')
      .selectAll()
      .where('instance_uuid', '=', instanceUuid)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    if (action === undefined) throw new NotFound(`Action for request_id ${requestId} on instance ${instanceUuid} not found`);
    const events = await this.#db.selectFrom('compute_instance_action_events').selectAll().where('action_id', '=', action.id).orderBy('id').execute();
    return { action, events };
  }
}
