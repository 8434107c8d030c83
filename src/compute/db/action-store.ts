/**
 * compute_instance_actions and their events (Nova's InstanceAction and InstanceActionEvent): the
 * API records an action per request, the conductor adds the workers' events to it, os-instance-
 * actions reads both back.
 */
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { currentContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest } from '../../common/errors/errors.js';
import type { ActionEventArgs, ActionEventFinishArgs } from '../conductor/rpc-api.js';
import type { ComputeTables, InstanceActionEventsTable, InstanceActionsTable } from './tables.js';

export type InstanceAction = Selectable<InstanceActionsTable>;
export type InstanceActionEvent = Selectable<InstanceActionEventsTable>;
export type NewInstanceAction = Insertable<InstanceActionsTable>;

/** A page of the 2.58 list: at most `limit` after the `marker` request id, changed in a time window. */
export interface InstanceActionPage {
  readonly limit?: number;
  readonly marker?: string;
  readonly changesSince?: string;
  readonly changesBefore?: string;
}

/** Nova's event `details` (2.84): a failed event's exception message, which is what our agents send as the traceback. */
function detailsOf(result: ActionEventFinishArgs['result'], traceback: string | undefined): string | null {
  return result === 'Error' ? (traceback ?? null) : null;
}

export class ActionStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** `trx`: inside a caller's transaction (server create writes the instance and its action together). */
  async insert(action: NewInstanceAction, trx: Transaction<ComputeTables> | Kysely<ComputeTables> = this.#db): Promise<void> {
    await trx.insertInto('compute_instance_actions').values(action).execute();
  }

  /** Newest first (created_at, id), as Nova's actions_get; a 2.58 page after the `marker` request id. */
  async list(instanceUuid: string, page: InstanceActionPage = {}): Promise<InstanceAction[]> {
    if (page.limit === 0) return [];
    let select = this.#db.selectFrom('compute_instance_actions').selectAll().where('instance_uuid', '=', instanceUuid);
    if (page.changesSince !== undefined) select = select.where('updated_at', '>=', page.changesSince);
    if (page.changesBefore !== undefined) select = select.where('updated_at', '<=', page.changesBefore);
    if (page.marker !== undefined) {
      const marker = await this.find(instanceUuid, page.marker);
      if (marker === undefined) throw new BadRequest(`Marker ${page.marker} could not be found.`);
      select = select.where((eb) => eb.or([eb('created_at', '<', marker.created_at), eb.and([eb('created_at', '=', marker.created_at), eb('id', '<', marker.id)])]));
    }
    select = select.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return (page.limit === undefined ? select : select.limit(page.limit)).execute();
  }

  /** The latest action of this request on the instance. */
  find(instanceUuid: string, requestId: string): Promise<InstanceAction | undefined> {
    return this.#db
      .selectFrom('compute_instance_actions')
      .selectAll()
      .where('instance_uuid', '=', instanceUuid)
      .where('request_id', '=', requestId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  events(actionId: number): Promise<InstanceActionEvent[]> {
    return this.#db.selectFrom('compute_instance_action_events').selectAll().where('action_id', '=', actionId).orderBy('id').execute();
  }

  /** Starts an event on the action of the current request (the API recorded it under the request id). */
  async eventStart({ uuid, event, host }: ActionEventArgs): Promise<void> {
    const actionId = await this.#actionId(uuid);
    if (actionId === undefined) return;
    await this.#db
      .insertInto('compute_instance_action_events')
      .values({ action_id: actionId, event, start_time: toDbTimestamp(new Date()), finish_time: null, result: null, traceback: null, host, details: null })
      .execute();
  }

  async eventFinish({ uuid, event, host, result, traceback }: ActionEventFinishArgs): Promise<void> {
    const actionId = await this.#actionId(uuid);
    if (actionId === undefined) return;
    const now = toDbTimestamp(new Date());
    const open = await this.#db
      .selectFrom('compute_instance_action_events')
      .select('id')
      .where('action_id', '=', actionId)
      .where('event', '=', event)
      .where('host', '=', host)
      .where('finish_time', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (open) {
      await this.#db
        .updateTable('compute_instance_action_events')
        .set({ finish_time: now, result, traceback: traceback ?? null, details: detailsOf(result, traceback) })
        .where('id', '=', open.id)
        .execute();
    } else {
      await this.#db
        .insertInto('compute_instance_action_events')
        .values({ action_id: actionId, event, start_time: now, finish_time: now, result, traceback: traceback ?? null, host, details: detailsOf(result, traceback) })
        .execute();
    }
    // Nova marks the whole action as failed once one of its events fails.
    if (result === 'Error') {
      await this.#db.updateTable('compute_instance_actions').set({ message: 'Error', updated_at: now }).where('id', '=', actionId).execute();
    }
  }

  /** The action of this request, else the instance's latest (periodic tasks and recovery run under their own ids). */
  async #actionId(uuid: string): Promise<number | undefined> {
    const requestId = currentContext()?.requestId;
    const base = this.#db.selectFrom('compute_instance_actions').select('id').where('instance_uuid', '=', uuid).orderBy('id', 'desc');
    const mine = requestId === undefined ? undefined : await base.where('request_id', '=', requestId).executeTakeFirst();
    return (mine ?? (await base.executeTakeFirst()))?.id;
  }
}
