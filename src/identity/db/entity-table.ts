import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { Conflict, NotFound } from '../../common/errors/errors.js';
import type { IdentityTables } from './tables.js';

/** The identity tables whose rows are entities with an id: what the API creates, shows, updates and deletes. */
export type EntityTableName = {
  [T in keyof IdentityTables]: IdentityTables[T] extends { id: string } ? T : never;
}[keyof IdentityTables];

export type EntityRow<T extends EntityTableName> = Selectable<IdentityTables[T]>;

/** One table seen without its columns' types: the same SQL serves every entity table. */
type AnyEntityTables = Record<string, { id: string } & Record<string, unknown>>;

/** A write that may hit a unique constraint: that becomes Keystone's 409 with `message`. */
export async function uniqueOrConflict<R>(database: Database, write: () => Promise<R>, message: () => string): Promise<R> {
  try {
    return await write();
  } catch (error) {
    if (!database.isUniqueViolation(error)) throw error;
    throw new Conflict(message());
  }
}

/** A write that may insert a row already there (a lost race): nothing changes then. */
export async function ignoringDuplicate(database: Database, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!database.isUniqueViolation(error)) throw error;
  }
}

/**
 * What every identity entity table does by id: insert, read (Keystone's 404 `Could not find
 * <kind>: <id>.`), update and delete, a duplicate insert or rename being the given 409.
 */
export class EntityTable<T extends EntityTableName> {
  readonly #rows: Kysely<AnyEntityTables>;
  readonly #table: string;
  /** The identity tables, typed, for a store's own queries. */
  protected readonly db: Kysely<IdentityTables>;

  constructor(
    protected readonly database: Database,
    table: T,
    /** Keystone's word for the entity in a 404: domain, project, user, … */
    private readonly kind: string,
  ) {
    this.db = database.kysely.withTables<IdentityTables>();
    this.#rows = database.kysely.withTables<AnyEntityTables>();
    this.#table = table;
  }

  async find(id: string): Promise<EntityRow<T> | undefined> {
    const row = await this.#rows.selectFrom(this.#table).selectAll().where('id', '=', id).executeTakeFirst();
    return row as EntityRow<T> | undefined;
  }

  async get(id: string): Promise<EntityRow<T>> {
    const row = await this.find(id);
    if (row === undefined) throw new NotFound(`Could not find ${this.kind}: ${id}.`);
    return row;
  }

  async insert(values: Insertable<IdentityTables[T]>, duplicate?: () => string): Promise<void> {
    const write = () => this.#rows.insertInto(this.#table).values(values).execute();
    await (duplicate === undefined ? write() : uniqueOrConflict(this.database, write, duplicate));
  }

  /**
   * The rows whose `columns` equal the filter's value where it gives one (and, with `ids`, whose id
   * is one of them), sorted by `order`: the list query of every entity.
   */
  protected listMatching<F extends object>(
    filter: F & { readonly ids?: readonly string[] },
    columns: readonly (keyof F & keyof EntityRow<T> & string)[],
    order: readonly (keyof EntityRow<T> & string)[],
  ): Promise<EntityRow<T>[]> {
    // No id can match an empty list (and SQL has no empty IN list).
    if (filter.ids?.length === 0) return Promise.resolve([]);
    let query = this.#rows.selectFrom(this.#table).selectAll();
    for (const column of order) query = query.orderBy(column);
    for (const column of columns) {
      const value: unknown = filter[column];
      const name: string = column;
      if (value !== undefined) query = query.where(name, '=', value);
    }
    if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids);
    return query.execute() as Promise<EntityRow<T>[]>;
  }

  /** Deletes the row (a table whose rows own others deletes those in its own method). */
  async delete(id: string): Promise<void> {
    await this.#rows.deleteFrom(this.#table).where('id', '=', id).execute();
  }

  async update(id: string, values: Updateable<IdentityTables[T]>, duplicate?: () => string): Promise<void> {
    const write = () => this.#rows.updateTable(this.#table).set(values as Partial<AnyEntityTables[string]>).where('id', '=', id).execute();
    await (duplicate === undefined ? write() : uniqueOrConflict(this.database, write, duplicate));
  }
}
