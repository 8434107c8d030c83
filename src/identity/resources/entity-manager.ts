import type { Insertable, Updateable } from 'kysely';
import type { EntityRow, EntityTable, EntityTableName } from '../db/entity-table.js';
import type { IdentityTables } from '../db/tables.js';
import type { ResourceDeps } from './store.js';

/** An entity table of identity's store with its list query (all rows when given no filter). */
export type ListingTable<T extends EntityTableName, Filter> = EntityTable<T> & {
  list(filter?: Filter): Promise<EntityRow<T>[]>;
};

/**
 * What every identity entity manager does alike: show an entity (its row as the API's ref), list
 * them, write a row and read it back, delete one that exists (Keystone's 404 otherwise). A
 * manager states what differs: its columns, checks, 409 message and the events a change raises.
 */
export abstract class EntityManager<T extends EntityTableName, Ref, Filter extends object = object> {
  protected constructor(
    protected readonly store: ResourceDeps,
    protected readonly table: ListingTable<T, Filter>,
    private readonly toRef: (row: EntityRow<T>) => Ref,
  ) {}

  async get(id: string): Promise<Ref> {
    return this.toRef(await this.table.get(id));
  }

  async list(filter?: Filter): Promise<Ref[]> {
    return (await this.table.list(filter)).map(this.toRef);
  }

  /** Deletes the entity alone; an entity owning others overrides this to take them along. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.table.delete(id);
  }

  /** Inserts the row, a unique clash being `duplicate`'s 409, and shows what was stored. */
  protected async inserted(row: Insertable<IdentityTables[T]> & { readonly id: string }, duplicate?: () => string): Promise<Ref> {
    await this.table.insert(row, duplicate);
    return this.get(row.id);
  }

  /** Writes the changed columns, a unique clash being `duplicate`'s 409, and shows the result. */
  protected async updated(id: string, values: Updateable<IdentityTables[T]>, duplicate?: () => string): Promise<Ref> {
    await this.table.update(id, values, duplicate);
    return this.get(id);
  }
}
