import type { Kysely, Selectable } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { AggregatesTable, ComputeTables } from '../db/tables.js';
import { COMPUTE_BINARY, DEFAULT_ZONE } from './availability-zones.js';

export interface Aggregate {
  readonly row: Selectable<AggregatesTable>;
  readonly hosts: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

const ZONE_KEY = 'availability_zone';

/** Host aggregates (Nova's AggregateAPI): CRUD, hosts, metadata; a host is in one zone at most. */
export class Aggregates {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly registry: ServiceRegistry,
    /** Tells the scheduler, whose host states carry aggregates and zones, that they changed. */
    private readonly changed: () => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async list(): Promise<Aggregate[]> {
    const rows = await this.#db.selectFrom('compute_aggregates').selectAll().orderBy('id').execute();
    return Promise.all(rows.map((row) => this.#details(row)));
  }

  async get(id: string): Promise<Aggregate> {
    const number = /^\d+$/.test(id) ? Number(id) : undefined;
    const row = number === undefined ? undefined : await this.#db.selectFrom('compute_aggregates').selectAll().where('id', '=', number).executeTakeFirst();
    if (row === undefined) throw new NotFound(`Aggregate ${id} could not be found.`);
    return this.#details(row);
  }

  async create(name: string, zone: string | undefined): Promise<Aggregate> {
    await this.#checkName(name);
    const now = toDbTimestamp(this.now());
    await this.#db.insertInto('compute_aggregates').values({ uuid: randomUUID(), name, created_at: now, updated_at: null }).execute();
    const row = await this.#db.selectFrom('compute_aggregates').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    if (zone !== undefined) await this.#db.insertInto('compute_aggregate_metadata').values({ aggregate_id: row.id, key: ZONE_KEY, value: zone }).execute();
    await this.changed();
    return this.#details(row);
  }

  async update(id: string, changes: { readonly name?: string; readonly zone?: string | null }): Promise<Aggregate> {
    const aggregate = await this.get(id);
    if (changes.name !== undefined && changes.name !== aggregate.row.name) {
      await this.#checkName(changes.name);
      await this.#db.updateTable('compute_aggregates').set({ name: changes.name }).where('id', '=', aggregate.row.id).execute();
    }
    if (changes.zone !== undefined) await this.setMetadata(id, { [ZONE_KEY]: changes.zone });
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const aggregate = await this.get(id);
    if (aggregate.hosts.length > 0) throw new BadRequest(`Cannot delete aggregate: ${id}. Reason: Host aggregate is not empty.`);
    await this.#db.deleteFrom('compute_aggregate_metadata').where('aggregate_id', '=', aggregate.row.id).execute();
    await this.#db.deleteFrom('compute_aggregates').where('id', '=', aggregate.row.id).execute();
    await this.changed();
  }

  async addHost(id: string, host: string): Promise<Aggregate> {
    const aggregate = await this.get(id);
    if ((await this.registry.list({ binary: COMPUTE_BINARY, host })).length === 0) throw new NotFound(`Compute host ${host} could not be found.`);
    if (aggregate.hosts.includes(host)) throw new Conflict(`Aggregate ${id} already has host ${host}.`);
    const zone = aggregate.metadata[ZONE_KEY];
    if (zone !== undefined) {
      const others = (await this.#zonesOfHost(host)).filter((other) => other !== zone);
      if (others.length > 0) {
        throw new Conflict(`Cannot add host to aggregate ${id}. Reason: One or more hosts already in availability zone(s) [${others.map((z) => `'${z}'`).join(', ')}].`);
      }
    }
    await this.#db.insertInto('compute_aggregate_hosts').values({ aggregate_id: aggregate.row.id, host }).execute();
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async removeHost(id: string, host: string): Promise<Aggregate> {
    const aggregate = await this.get(id);
    if (!aggregate.hosts.includes(host)) throw new NotFound(`Cannot remove host ${host} in aggregate ${id}`);
    await this.#db.deleteFrom('compute_aggregate_hosts').where('aggregate_id', '=', aggregate.row.id).where('host', '=', host).execute();
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  /** Merges metadata; a null value removes the key. A new zone must not split one of its hosts across two zones. */
  async setMetadata(id: string, metadata: Readonly<Record<string, string | null>>): Promise<Aggregate> {
    const aggregate = await this.get(id);
    const zone = metadata[ZONE_KEY];
    if (typeof zone === 'string') {
      if (zone === DEFAULT_ZONE && aggregate.hosts.length > 0) throw new BadRequest(`Cannot set the default availability zone '${DEFAULT_ZONE}' on an aggregate with hosts.`);
      for (const host of aggregate.hosts) {
        const others = (await this.#zonesOfHost(host, aggregate.row.id)).filter((other) => other !== zone);
        if (others.length > 0) throw new BadRequest(`Cannot update aggregate ${id}. Reason: One or more hosts already in availability zone(s) [${others.join(', ')}].`);
      }
    }
    await this.#db.transaction().execute(async (trx) => {
      for (const [key, value] of Object.entries(metadata)) {
        await trx.deleteFrom('compute_aggregate_metadata').where('aggregate_id', '=', aggregate.row.id).where('key', '=', key).execute();
        if (value !== null) await trx.insertInto('compute_aggregate_metadata').values({ aggregate_id: aggregate.row.id, key, value }).execute();
      }
    });
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async #zonesOfHost(host: string, exceptAggregate?: number): Promise<string[]> {
    let query = this.#db
      .selectFrom('compute_aggregate_hosts')
      .innerJoin('compute_aggregate_metadata', 'compute_aggregate_metadata.aggregate_id', 'compute_aggregate_hosts.aggregate_id')
      .select('compute_aggregate_metadata.value')
      .where('compute_aggregate_hosts.host', '=', host)
      .where('compute_aggregate_metadata.key', '=', ZONE_KEY);
    if (exceptAggregate !== undefined) query = query.where('compute_aggregate_hosts.aggregate_id', '!=', exceptAggregate);
    return [...new Set((await query.execute()).map((row) => row.value))];
  }

  async #checkName(name: string): Promise<void> {
    const existing = await this.#db.selectFrom('compute_aggregates').select('id').where('name', '=', name).executeTakeFirst();
    if (existing !== undefined) throw new Conflict(`Aggregate ${name} already exists.`);
  }

  /** Every change but create and delete ends here: stamp it and tell the scheduler. */
  async #touch(id: number): Promise<void> {
    await this.#db.updateTable('compute_aggregates').set({ updated_at: toDbTimestamp(this.now()) }).where('id', '=', id).execute();
    await this.changed();
  }

  async #details(row: Selectable<AggregatesTable>): Promise<Aggregate> {
    const [hosts, metadata] = await Promise.all([
      this.#db.selectFrom('compute_aggregate_hosts').select('host').where('aggregate_id', '=', row.id).orderBy('host').execute(),
      this.#db.selectFrom('compute_aggregate_metadata').select(['key', 'value']).where('aggregate_id', '=', row.id).orderBy('key').execute(),
    ]);
    return { row, hosts: hosts.map((item) => item.host), metadata: Object.fromEntries(metadata.map((item) => [item.key, item.value])) };
  }
}
