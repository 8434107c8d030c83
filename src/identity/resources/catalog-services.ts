import type { Selectable } from 'kysely';
import type { CatalogServicesTable } from '../db/tables.js';
import type { CatalogCache } from './catalog-cache.js';
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

/** The catalog's services (`openstack service …`): a type, a name, and endpoints elsewhere. */
export class CatalogServiceManager {
  constructor(
    private readonly store: ResourceDeps,
    private readonly catalog: CatalogCache,
  ) {}

  async create(input: CatalogServiceCreate): Promise<CatalogServiceRef> {
    const id = newId();
    await this.store.tables.services.insert({
      id,
      type: input.type,
      name: input.name ?? null,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      extra: toJson(input.extra),
    });
    this.catalog.invalidate();
    return this.get(id);
  }

  async get(id: string): Promise<CatalogServiceRef> {
    return toRef(await this.store.tables.services.get(id));
  }

  async list(filter: { readonly type?: string; readonly name?: string } = {}): Promise<CatalogServiceRef[]> {
    return (await this.store.tables.services.list(filter)).map(toRef);
  }

  async update(id: string, patch: CatalogServiceUpdate): Promise<CatalogServiceRef> {
    const current = await this.get(id);
    await this.store.tables.services.update(id, {
      type: patch.type ?? current.type,
      name: patch.name === undefined ? current.name : patch.name,
      ...patchedDescription(current, patch),
      enabled: patch.enabled ?? current.enabled,
    });
    this.catalog.invalidate();
    return this.get(id);
  }

  /** Deletes the service with its endpoints. */
  async delete(id: string): Promise<void> {
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
