import type { Selectable } from 'kysely';
import type { CatalogServicesTable } from '../db/tables.js';
import type { CatalogCache } from './catalog-cache.js';
import { CatalogEntityManager } from './catalog-entity-manager.js';
import { newId, parseObject, patchedDescription, toJson, type Extra, type ResourceDeps } from './store.js';

export interface CatalogServiceRef {
  readonly id: string;
  readonly type: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly extra: Extra;
}

export interface CatalogServiceCreate {
  readonly type: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly extra?: Extra;
}

export type CatalogServiceUpdate = Partial<CatalogServiceCreate>;

export interface CatalogServiceFilter {
  readonly type?: string;
  readonly name?: string;
}

/** The catalog's services (`openstack service …`): a type, a name, and endpoints elsewhere. */
export class CatalogServiceManager extends CatalogEntityManager<'identity_catalog_services', CatalogServiceRef, CatalogServiceFilter> {
  constructor(store: ResourceDeps, catalog: CatalogCache) {
    super(store, store.tables.services, toRef, catalog);
  }

  async create(input: CatalogServiceCreate): Promise<CatalogServiceRef> {
    return this.inserted({
      id: newId(),
      type: input.type,
      name: input.name ?? null,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      extra: toJson(input.extra),
    });
  }

  async update(id: string, patch: CatalogServiceUpdate): Promise<CatalogServiceRef> {
    const current = await this.get(id);
    return this.updated(id, {
      type: patch.type ?? current.type,
      name: patch.name === undefined ? current.name : patch.name,
      ...patchedDescription(current, patch),
      enabled: patch.enabled ?? current.enabled,
    });
  }

  /** Deletes the service with its endpoints. */
  override async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.tables.services.deleteWithEndpoints(id);
    this.catalog.invalidate();
  }
}

function toRef(row: Selectable<CatalogServicesTable>): CatalogServiceRef {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    extra: parseObject(row.extra),
  };
}
