/**
 * compute_conductor_tasks: which conductor (service host and process boot) runs which instance's
 * build or move. A conductor takes the row when it starts the task and gives it back when the task
 * has finished or rolled back; a row left behind by a dead conductor is taken once, by whichever
 * conductor resolves it (compare-and-delete on the owner).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables, ConductorTasksTable } from './tables.js';

export type ConductorTaskRow = Selectable<ConductorTasksTable>;

/** The conductor process that owns a task. */
export interface ConductorOwner {
  readonly host: string;
  readonly boot: string;
}

export interface OwnedTask {
  readonly instanceUuid: string;
  readonly task: string;
  readonly requestId: string | null;
  readonly migrationId: number | null;
}

export class ConductorTaskStore {
  readonly #database: Database;
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#database = database;
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /**
   * Records `owner` as running `task`. A row already there (a conductor that died while running
   * it, whose message was delivered again) passes to `owner`.
   */
  async take(owner: ConductorOwner, task: OwnedTask): Promise<void> {
    const row = {
      task: task.task,
      conductor_host: owner.host,
      conductor_boot: owner.boot,
      request_id: task.requestId,
      migration_id: task.migrationId,
      created_at: toDbTimestamp(this.now()),
    };
    const updated = await this.#db.updateTable('compute_conductor_tasks').set(row).where('instance_uuid', '=', task.instanceUuid).executeTakeFirst();
    if (updated.numUpdatedRows > 0n) return;
    try {
      await this.#db.insertInto('compute_conductor_tasks').values({ instance_uuid: task.instanceUuid, ...row }).execute();
    } catch (error) {
      if (!this.#database.isUniqueViolation(error)) throw error;
      await this.#db.updateTable('compute_conductor_tasks').set(row).where('instance_uuid', '=', task.instanceUuid).execute();
    }
  }

  /**
   * Removes the row if `owner` still holds it (a task finished, rolled back or resolved): false when
   * another conductor took it over meanwhile.
   */
  async release(instanceUuid: string, owner: ConductorOwner): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('compute_conductor_tasks')
      .where('instance_uuid', '=', instanceUuid)
      .where('conductor_host', '=', owner.host)
      .where('conductor_boot', '=', owner.boot)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Passes the row from `from` (a dead conductor) to `to` if `from` still holds it: true for exactly one caller. */
  async takeFrom(instanceUuid: string, from: ConductorOwner, to: ConductorOwner): Promise<boolean> {
    const result = await this.#db
      .updateTable('compute_conductor_tasks')
      .set({ conductor_host: to.host, conductor_boot: to.boot })
      .where('instance_uuid', '=', instanceUuid)
      .where('conductor_host', '=', from.host)
      .where('conductor_boot', '=', from.boot)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Every task some conductor runs (or ran, and died), oldest first. */
  list(): Promise<ConductorTaskRow[]> {
    return this.#db.selectFrom('compute_conductor_tasks').selectAll().orderBy('created_at').execute();
  }
}
