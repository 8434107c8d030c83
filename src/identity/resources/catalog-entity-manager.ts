import type { Insertable, Updateable } from 'kysely';
import type { EntityRow } from '../db/entity-table.js';
import type { IdentityTables } from '../db/tables.js';
import type { CatalogCache } from './catalog-cache.js';
import { EntityManager, type ListingTable } from './entity-manager.js';
import type { ResourceDeps } from './store.js';

/** The tables a token's catalog is built from. */
type CatalogTableName = 'identity_catalog_services' | 'identity_endpoints';

/** A manager of a catalog table: every write changes the catalog tokens carry, so the cached copy goes at once. */
export abstract class CatalogEntityManager<T extends CatalogTableName, Ref, Filter extends object> extends EntityManager<T, Ref, Filter> {
  protected constructor(
    store: ResourceDeps,
    table: ListingTable<T, Filter>,
    toRef: (row: EntityRow<T>) => Ref,
    protected readonly catalog: CatalogCache,
  ) {
    super(store, table, toRef);
  }

  protected override async inserted(row: Insertable<IdentityTables[T]> & { readonly id: string }, duplicate?: () => string): Promise<Ref> {
    const ref = await super.inserted(row, duplicate);
    this.catalog.invalidate();
    return ref;
  }

  protected override async updated(id: string, values: Updateable<IdentityTables[T]>, duplicate?: () => string): Promise<Ref> {
    const ref = await super.updated(id, values, duplicate);
    this.catalog.invalidate();
    return ref;
  }

  override async delete(id: string): Promise<void> {
    await super.delete(id);
    this.catalog.invalidate();
  }
}
