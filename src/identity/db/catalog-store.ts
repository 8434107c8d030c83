import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';
import type { EndpointInterface } from './tables.js';

/** identity_regions: nested catalog regions. */
export class RegionStore extends EntityTable<'identity_regions'> {
  constructor(database: Database) {
    super(database, 'identity_regions', 'region');
  }

  list(filter: { readonly parent_region_id?: string } = {}): Promise<EntityRow<'identity_regions'>[]> {
    return this.listMatching(filter, ['parent_region_id'], ['id']);
  }

  async childIds(parentIds: readonly string[]): Promise<string[]> {
    const rows = await this.db.selectFrom('identity_regions').select('id').where('parent_region_id', 'in', parentIds).execute();
    return rows.map((row) => row.id);
  }

  async anyHasEndpoints(ids: readonly string[]): Promise<boolean> {
    return (await this.db.selectFrom('identity_endpoints').select('id').where('region_id', 'in', ids).executeTakeFirst()) !== undefined;
  }

  async deleteAll(ids: readonly string[]): Promise<void> {
    await this.db.deleteFrom('identity_regions').where('id', 'in', ids).execute();
  }
}

/** identity_catalog_services: the catalog's services. */
export class CatalogServiceStore extends EntityTable<'identity_catalog_services'> {
  constructor(database: Database) {
    super(database, 'identity_catalog_services', 'service');
  }

  list(filter: { readonly type?: string; readonly name?: string } = {}): Promise<EntityRow<'identity_catalog_services'>[]> {
    return this.listMatching(filter, ['type', 'name'], ['type', 'id']);
  }

  /** The enabled services, by type: what tokens carry. */
  enabled(): Promise<EntityRow<'identity_catalog_services'>[]> {
    return this.db.selectFrom('identity_catalog_services').selectAll().where('enabled', '=', true).orderBy('type').execute();
  }

  /** Deletes the service with its endpoints. */
  async deleteWithEndpoints(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_endpoints').where('service_id', '=', id).execute();
      await trx.deleteFrom('identity_catalog_services').where('id', '=', id).execute();
    });
  }
}

/** identity_endpoints: where each service is reached. */
export class EndpointStore extends EntityTable<'identity_endpoints'> {
  constructor(database: Database) {
    super(database, 'identity_endpoints', 'endpoint');
  }

  list(filter: { readonly interface?: EndpointInterface; readonly service_id?: string; readonly region_id?: string } = {}): Promise<EntityRow<'identity_endpoints'>[]> {
    return this.listMatching(filter, ['interface', 'service_id', 'region_id'], ['service_id', 'interface', 'id']);
  }

  /** The enabled endpoints, by interface: what tokens carry. */
  enabled(): Promise<EntityRow<'identity_endpoints'>[]> {
    return this.db.selectFrom('identity_endpoints').selectAll().where('enabled', '=', true).orderBy('interface').execute();
  }
}
