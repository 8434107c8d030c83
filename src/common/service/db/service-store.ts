import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DbTimestamp } from '../../db/timestamps.js';
import type { ServiceRegistryTables, ServicesTable } from './tables.js';

export type ServiceRow = Selectable<ServicesTable>;

/** Where a service runs and what it is: the row's unique key with its topic. */
export interface ServiceKey {
  readonly binary: string;
  readonly host: string;
  readonly topic: string;
}

/** Most ids one statement lists (SQLite binds at most 32,766 parameters). */
const IN_LIST_MAX = 1000;

/** The `services` table: the only code that issues SQL against it. */
export class ServiceStore {
  readonly #db: Kysely<ServiceRegistryTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ServiceRegistryTables>();
  }

  /** Counts one report at `now`, in SQL so concurrent reports all count; false when there is no such row. */
  async report(id: number, now: DbTimestamp): Promise<boolean> {
    const result = await this.#db
      .updateTable('services')
      .set((eb) => ({ last_seen_at: now, updated_at: now, report_count: eb('report_count', '+', 1) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Counts one report at `now` for each of `ids` in one statement per IN_LIST_MAX ids (the hosts
   * of one agent process beat together); returns the ids that have a row.
   */
  async reportMany(ids: readonly number[], now: DbTimestamp): Promise<number[]> {
    const found: number[] = [];
    for (let at = 0; at < ids.length; at += IN_LIST_MAX) {
      const chunk = ids.slice(at, at + IN_LIST_MAX);
      const result = await this.#db
        .updateTable('services')
        .set((eb) => ({ last_seen_at: now, updated_at: now, report_count: eb('report_count', '+', 1) }))
        .where('id', 'in', chunk)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === chunk.length) found.push(...chunk);
      else found.push(...(await this.#db.selectFrom('services').select('id').where('id', 'in', chunk).execute()).map((row) => row.id));
    }
    return found;
  }

  /** Rows oldest first, optionally only those of one binary and/or host. */
  list(filter: { readonly binary?: string; readonly host?: string }): Promise<ServiceRow[]> {
    let query = this.#db.selectFrom('services').selectAll().orderBy('id');
    if (filter.binary !== undefined) query = query.where('binary', '=', filter.binary);
    if (filter.host !== undefined) query = query.where('host', '=', filter.host);
    return query.execute();
  }

  find(key: { readonly id: number } | { readonly uuid: string } | { readonly host: string; readonly binary: string }): Promise<ServiceRow | undefined> {
    const query = this.#db.selectFrom('services').selectAll();
    if ('id' in key) return query.where('id', '=', key.id).executeTakeFirst();
    if ('uuid' in key) return query.where('uuid', '=', key.uuid).executeTakeFirst();
    return query.where('host', '=', key.host).where('binary', '=', key.binary).executeTakeFirst();
  }

  async update(id: number, values: Updateable<ServicesTable>): Promise<void> {
    await this.#db.updateTable('services').set(values).where('id', '=', id).execute();
  }

  /**
   * Refreshes the (host, binary) row's topic and last report, else inserts it with `uuid`: a
   * restarted service keeps its row and an operator's flags. A concurrent first start of the same
   * service makes one insert hit the unique key (the caller tries again).
   */
  async upsert(service: ServiceKey, uuid: string, now: DbTimestamp): Promise<ServiceRow> {
    const updated = await this.#db
      .updateTable('services')
      .set({ topic: service.topic, last_seen_at: now, updated_at: now })
      .where('host', '=', service.host)
      .where('binary', '=', service.binary)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      const { binary, host, topic } = service;
      await this.#db.insertInto('services').values({ binary, host, topic, uuid, last_seen_at: now, created_at: now, updated_at: now }).execute();
    }
    const row = await this.find(service);
    if (row === undefined) throw new Error(`The service ${service.binary} on ${service.host} vanished as it registered`);
    return row;
  }

  async delete(id: number): Promise<void> {
    await this.#db.deleteFrom('services').where('id', '=', id).execute();
  }
}
