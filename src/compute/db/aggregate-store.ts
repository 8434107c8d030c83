/** compute_aggregates with their hosts and metadata (Nova's Aggregate objects): os-aggregates writes them, zones and the scheduler read them. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { DEFAULT_ZONE } from '../admin/availability-zones.js';
import type { Aggregate } from '../scheduler/host-state.js';
import type { AggregatesTable, ComputeTables } from './tables.js';

export type AggregateRow = Selectable<AggregatesTable>;

/** The metadata key that puts an aggregate's hosts in an availability zone. */
export const ZONE_KEY = 'availability_zone';

export class AggregateStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  rows(): Promise<AggregateRow[]> {
    return this.#db.selectFrom('compute_aggregates').selectAll().orderBy('id').execute();
  }

  row(id: number): Promise<AggregateRow | undefined> {
    return this.#db.selectFrom('compute_aggregates').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.#db.selectFrom('compute_aggregates').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  /** A new aggregate, in `zone` when one is given. */
  async create(name: string, zone: string | undefined, now: string): Promise<AggregateRow> {
    await this.#db.insertInto('compute_aggregates').values({ uuid: randomUUID(), name, created_at: now, updated_at: null }).execute();
    const row = await this.#db.selectFrom('compute_aggregates').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    if (zone !== undefined) await this.#db.insertInto('compute_aggregate_metadata').values({ aggregate_id: row.id, key: ZONE_KEY, value: zone }).execute();
    return row;
  }

  async rename(id: number, name: string): Promise<void> {
    await this.#db.updateTable('compute_aggregates').set({ name }).where('id', '=', id).execute();
  }

  async touch(id: number, now: string): Promise<void> {
    await this.#db.updateTable('compute_aggregates').set({ updated_at: now }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.#db.deleteFrom('compute_aggregate_metadata').where('aggregate_id', '=', id).execute();
    await this.#db.deleteFrom('compute_aggregates').where('id', '=', id).execute();
  }

  async addHost(id: number, host: string): Promise<void> {
    await this.#db.insertInto('compute_aggregate_hosts').values({ aggregate_id: id, host }).execute();
  }

  async removeHost(id: number, host: string): Promise<void> {
    await this.#db.deleteFrom('compute_aggregate_hosts').where('aggregate_id', '=', id).where('host', '=', host).execute();
  }

  /** Merges metadata in one transaction; a null value removes the key. */
  async setMetadata(id: number, metadata: Readonly<Record<string, string | null>>): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const [key, value] of Object.entries(metadata)) {
        await trx.deleteFrom('compute_aggregate_metadata').where('aggregate_id', '=', id).where('key', '=', key).execute();
        if (value !== null) await trx.insertInto('compute_aggregate_metadata').values({ aggregate_id: id, key, value }).execute();
      }
    });
  }

  /** The aggregate's hosts and metadata, each sorted. */
  async details(id: number): Promise<{ hosts: string[]; metadata: Record<string, string> }> {
    const [hosts, metadata] = await Promise.all([
      this.#db.selectFrom('compute_aggregate_hosts').select('host').where('aggregate_id', '=', id).orderBy('host').execute(),
      this.#db.selectFrom('compute_aggregate_metadata').select(['key', 'value']).where('aggregate_id', '=', id).orderBy('key').execute(),
    ]);
    return { hosts: hosts.map((item) => item.host), metadata: Object.fromEntries(metadata.map((item) => [item.key, item.value])) };
  }

  /** The zones of the aggregates `host` is in (but `exceptAggregate`). */
  async zonesOfHost(host: string, exceptAggregate?: number): Promise<string[]> {
    let query = this.#db
      .selectFrom('compute_aggregate_hosts')
      .innerJoin('compute_aggregate_metadata', 'compute_aggregate_metadata.aggregate_id', 'compute_aggregate_hosts.aggregate_id')
      .select('compute_aggregate_metadata.value')
      .where('compute_aggregate_hosts.host', '=', host)
      .where('compute_aggregate_metadata.key', '=', ZONE_KEY);
    if (exceptAggregate !== undefined) query = query.where('compute_aggregate_hosts.aggregate_id', '!=', exceptAggregate);
    return [...new Set((await query.execute()).map((row) => row.value))];
  }

  /** Nova's get_host_availability_zone: the zone of the first aggregate of `host` that has one, else the default zone. */
  async zoneOfHost(host: string): Promise<string> {
    return (await this.zonesOfHost(host))[0] ?? DEFAULT_ZONE;
  }

  /** host → zone for hosts in an aggregate with a zone. */
  async zoneByHost(): Promise<Map<string, string>> {
    const rows = await this.#db
      .selectFrom('compute_aggregate_hosts')
      .innerJoin('compute_aggregate_metadata', 'compute_aggregate_metadata.aggregate_id', 'compute_aggregate_hosts.aggregate_id')
      .select(['compute_aggregate_hosts.host', 'compute_aggregate_metadata.value'])
      .where('compute_aggregate_metadata.key', '=', ZONE_KEY)
      .execute();
    return new Map(rows.map((row) => [row.host, row.value]));
  }

  /** Every aggregate as the scheduler's host states carry it. */
  async all(): Promise<Aggregate[]> {
    const aggregates = await this.#db.selectFrom('compute_aggregates').select(['id', 'name']).execute();
    const hosts = await this.#db.selectFrom('compute_aggregate_hosts').selectAll().execute();
    const metadata = await this.#db.selectFrom('compute_aggregate_metadata').selectAll().execute();
    return aggregates.map((aggregate) => ({
      id: aggregate.id,
      name: aggregate.name,
      hosts: hosts.filter((row) => row.aggregate_id === aggregate.id).map((row) => row.host),
      metadata: Object.fromEntries(metadata.filter((row) => row.aggregate_id === aggregate.id).map((row) => [row.key, row.value])),
    }));
  }
}
