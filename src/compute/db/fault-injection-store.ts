/** compute_fault_injections: the failures injected into hosts (/v2.1/nimbus/faults), active and ended. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { FaultEndReason, FaultInjection, FaultKind } from '../faults/fault-injection.js';
import type { ComputeTables, FaultInjectionsTable } from './tables.js';

export type FaultInjectionRow = Selectable<FaultInjectionsTable>;

export function faultOfRow(row: FaultInjectionRow): FaultInjection {
  return {
    id: row.id,
    host: row.host,
    kind: row.kind as FaultKind,
    operation: row.operation,
    instanceUuid: row.instance_uuid,
    delayMs: row.delay_ms,
    remaining: row.remaining,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    requestId: row.request_id,
  };
}

export class FaultInjectionStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async insert(row: Insertable<FaultInjectionsTable>): Promise<void> {
    await this.#db.insertInto('compute_fault_injections').values(row).execute();
  }

  /** The injections still acting at `now` (of one host, or every host), oldest first. */
  active(now: Date, host?: string): Promise<FaultInjectionRow[]> {
    let query = this.#db
      .selectFrom('compute_fault_injections')
      .selectAll()
      .where('ended_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', toDbTimestamp(now))]))
      .where((eb) => eb.or([eb('remaining', 'is', null), eb('remaining', '>', 0)]));
    if (host !== undefined) query = query.where('host', '=', host);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  get(id: string): Promise<FaultInjectionRow | undefined> {
    return this.#db.selectFrom('compute_fault_injections').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Ends an injection not ended yet; false when it had ended already. */
  async end(id: string, reason: FaultEndReason, now: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('compute_fault_injections')
      .set({ ended_at: toDbTimestamp(now), end_reason: reason })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Counts one application of a counted injection; the last one ends it as `used`. */
  async used(id: string, now: Date): Promise<void> {
    await this.#db
      .updateTable('compute_fault_injections')
      .set((eb) => ({ remaining: eb('remaining', '-', 1) }))
      .where('id', '=', id)
      .where('remaining', '>', 0)
      .execute();
    await this.#db
      .updateTable('compute_fault_injections')
      .set({ ended_at: toDbTimestamp(now), end_reason: 'used' })
      .where('id', '=', id)
      .where('remaining', '<=', 0)
      .where('ended_at', 'is', null)
      .execute();
  }
}
