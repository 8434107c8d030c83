/** compute_request_steps: the per-request trace the request timeline reads beside the action events. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { ComputeTables, InstanceActionEventsTable, InstanceActionsTable, RequestStepsTable } from './tables.js';

export type RequestStep = Selectable<RequestStepsTable>;
export type NewRequestStep = Insertable<RequestStepsTable>;

/** An instance action with its events, found by request id alone. */
export interface TracedAction {
  readonly action: Selectable<InstanceActionsTable>;
  readonly events: readonly Selectable<InstanceActionEventsTable>[];
}

export class RequestStepStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async add(step: NewRequestStep): Promise<void> {
    await this.#db.insertInto('compute_request_steps').values(step).execute();
  }

  /** The request's steps, in the order they were written. */
  steps(requestId: string): Promise<RequestStep[]> {
    return this.#db.selectFrom('compute_request_steps').selectAll().where('request_id', '=', requestId).orderBy('id').execute();
  }

  /** The instance actions the request recorded (one per server it acted on) with their events. */
  async actions(requestId: string): Promise<TracedAction[]> {
    const actions = await this.#db.selectFrom('compute_instance_actions').selectAll().where('request_id', '=', requestId).orderBy('id').execute();
    if (actions.length === 0) return [];
    const events = await this.#db
      .selectFrom('compute_instance_action_events')
      .selectAll()
      .where(
        'action_id',
        'in',
        actions.map((action) => action.id),
      )
      .orderBy('id')
      .execute();
    return actions.map((action) => ({ action, events: events.filter((event) => event.action_id === action.id) }));
  }
}
