import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { ZONE_KEY, type AggregateRow, type AggregateStore } from '../db/aggregate-store.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import { DEFAULT_ZONE } from './availability-zones.js';

/** An aggregate as os-aggregates shows it: its row, hosts and metadata. */
export interface AggregateDetails {
  readonly row: AggregateRow;
  readonly hosts: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** Host aggregates (Nova's AggregateAPI): CRUD, hosts, metadata; a host is in one zone at most. */
export class Aggregates {
  constructor(
    private readonly store: AggregateStore,
    private readonly registry: ServiceRegistry,
    /** Tells the scheduler, whose host states carry aggregates and zones, that they changed. */
    private readonly changed: () => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<AggregateDetails[]> {
    const rows = await this.store.rows();
    return Promise.all(rows.map((row) => this.#details(row)));
  }

  async get(id: string): Promise<AggregateDetails> {
    const number = /^\d+$/.test(id) ? Number(id) : undefined;
    const row = number === undefined ? undefined : await this.store.row(number);
    if (row === undefined) throw new NotFound(`Aggregate ${id} could not be found.`);
    return this.#details(row);
  }

  async create(name: string, zone: string | undefined): Promise<AggregateDetails> {
    await this.#checkName(name);
    const row = await this.store.create(name, zone, toDbTimestamp(this.now()));
    await this.changed();
    return this.#details(row);
  }

  async update(id: string, changes: { readonly name?: string; readonly zone?: string | null }): Promise<AggregateDetails> {
    const aggregate = await this.get(id);
    if (changes.name !== undefined && changes.name !== aggregate.row.name) {
      await this.#checkName(changes.name);
      await this.store.rename(aggregate.row.id, changes.name);
    }
    if (changes.zone !== undefined) await this.setMetadata(id, { [ZONE_KEY]: changes.zone });
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const aggregate = await this.get(id);
    if (aggregate.hosts.length > 0) throw new BadRequest(`Cannot delete aggregate: ${id}. Reason: Host aggregate is not empty.`);
    await this.store.delete(aggregate.row.id);
    await this.changed();
  }

  async addHost(id: string, host: string): Promise<AggregateDetails> {
    const aggregate = await this.get(id);
    if ((await this.registry.list({ binary: COMPUTE_BINARY, host })).length === 0) throw new NotFound(`Compute host ${host} could not be found.`);
    if (aggregate.hosts.includes(host)) throw new Conflict(`Aggregate ${id} already has host ${host}.`);
    const zone = aggregate.metadata[ZONE_KEY];
    if (zone !== undefined) {
      const others = (await this.store.zonesOfHost(host)).filter((other) => other !== zone);
      if (others.length > 0) {
        throw new Conflict(`Cannot add host to aggregate ${id}. Reason: One or more hosts already in availability zone(s) [${others.map((z) => `'${z}'`).join(', ')}].`);
      }
    }
    await this.store.addHost(aggregate.row.id, host);
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async removeHost(id: string, host: string): Promise<AggregateDetails> {
    const aggregate = await this.get(id);
    if (!aggregate.hosts.includes(host)) throw new NotFound(`Cannot remove host ${host} in aggregate ${id}`);
    await this.store.removeHost(aggregate.row.id, host);
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  /** Merges metadata; a null value removes the key. A new zone must not split one of its hosts across two zones. */
  async setMetadata(id: string, metadata: Readonly<Record<string, string | null>>): Promise<AggregateDetails> {
    const aggregate = await this.get(id);
    const zone = metadata[ZONE_KEY];
    if (typeof zone === 'string') {
      if (zone === DEFAULT_ZONE && aggregate.hosts.length > 0) throw new BadRequest(`Cannot set the default availability zone '${DEFAULT_ZONE}' on an aggregate with hosts.`);
      for (const host of aggregate.hosts) {
        const others = (await this.store.zonesOfHost(host, aggregate.row.id)).filter((other) => other !== zone);
        if (others.length > 0) throw new BadRequest(`Cannot update aggregate ${id}. Reason: One or more hosts already in availability zone(s) [${others.join(', ')}].`);
      }
    }
    await this.store.setMetadata(aggregate.row.id, metadata);
    await this.#touch(aggregate.row.id);
    return this.get(id);
  }

  async #checkName(name: string): Promise<void> {
    if (await this.store.nameTaken(name)) throw new Conflict(`Aggregate ${name} already exists.`);
  }

  /** Every change but create and delete ends here: stamp it and tell the scheduler. */
  async #touch(id: number): Promise<void> {
    await this.store.touch(id, toDbTimestamp(this.now()));
    await this.changed();
  }

  async #details(row: AggregateRow): Promise<AggregateDetails> {
    return { row, ...(await this.store.details(row.id)) };
  }
}
