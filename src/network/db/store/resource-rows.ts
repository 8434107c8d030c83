import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { NetworkTables } from '../tables.js';

/** The tables of Neutron resources with an id, an owner and standard attributes. */
export type ResourceTableName = 'net_networks' | 'net_subnets' | 'net_subnetpools' | 'net_ports' | 'net_security_groups' | 'net_security_group_rules' | 'net_routers' | 'net_floating_ips';

export type ResourceRow<T extends ResourceTableName> = Selectable<NetworkTables[T]>;
/** What an update may change: never the id, the owner or the standard attributes it maintains. */
export type ResourceChanges<T extends ResourceTableName> = Omit<Updateable<NetworkTables[T]>, 'id' | 'project_id' | 'created_at' | 'updated_at' | 'revision_number'>;

/** The columns every resource table shares, which is all this class touches by name. */
type Shared = { id: string; project_id: string; updated_at: string; revision_number: number };

/**
 * The same statements on any resource table. Kysely cannot type a query over a table chosen
 * by a type parameter, so each method views it as a table `rows` of `Shared` and hands back its real row type.
 */
export class ResourceRows<T extends ResourceTableName> {
  readonly #db: Kysely<{ rows: Shared }>;
  readonly #table: 'rows';

  constructor(
    db: Kysely<NetworkTables>,
    table: T,
    private readonly timestamp: () => string,
  ) {
    this.#db = db as unknown as Kysely<{ rows: Shared }>;
    this.#table = table as unknown as 'rows';
  }

  async insert(row: Insertable<NetworkTables[T]>): Promise<void> {
    await this.#db.insertInto(this.#table).values(row as unknown as Shared).execute();
  }

  async find(id: string): Promise<ResourceRow<T> | undefined> {
    const row = await this.#db.selectFrom(this.#table).selectAll().where('id', '=', id).executeTakeFirst();
    return row as ResourceRow<T> | undefined;
  }

  /** Rows whose `column` is one of `values` (none for no values). */
  async where(column: keyof ResourceRow<T> & string, values: readonly unknown[]): Promise<ResourceRow<T>[]> {
    if (values.length === 0) return [];
    const rows = await this.#db
      .selectFrom(this.#table)
      .selectAll()
      .where(column as keyof Shared, 'in', values as string[])
      .orderBy('id')
      .execute();
    return rows as ResourceRow<T>[];
  }

  /** Every row, or those of one project; only those whose `column` is one of its `values`, for each of `only`. */
  async list(projectId?: string, only: readonly { column: keyof ResourceRow<T> & string; values: readonly unknown[] }[] = []): Promise<ResourceRow<T>[]> {
    if (only.some((filter) => filter.values.length === 0)) return [];
    let select = this.#db.selectFrom(this.#table).selectAll();
    if (projectId !== undefined) select = select.where('project_id', '=', projectId);
    for (const filter of only) select = select.where(filter.column as keyof Shared, 'in', filter.values as string[]);
    return (await select.orderBy('id').execute()) as ResourceRow<T>[];
  }

  async count(column: keyof ResourceRow<T> & string, value: unknown): Promise<number> {
    const row = await this.#db
      .selectFrom(this.#table)
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where(column as keyof Shared, '=', value as string)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Applies the changes, bumps updated_at and revision_number; false when the row is gone. */
  async update(id: string, changes: ResourceChanges<T>): Promise<boolean> {
    const result = await this.#db
      .updateTable(this.#table)
      .set((eb) => ({ ...(changes as Partial<Shared>), updated_at: this.timestamp(), revision_number: eb('revision_number', '+', 1) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom(this.#table).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
