import type { Selectable } from 'kysely';
import { NotFound } from '../../common/errors/errors.js';
import type { CatalogServicesTable } from '../db/tables.js';
import { mergeExtra, newId, parseObject, toJson, type Extra, type IdentityStore } from './store.js';

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
  constructor(private readonly store: IdentityStore) {}

  async create(input: CatalogServiceCreate): Promise<CatalogServiceRef> {
    const id = newId();
    await this.store.db
      .insertInto('identity_catalog_services')
      .values({
        id,
        type: input.type,
        name: input.name ?? null,
        description: input.description ?? null,
        enabled: input.enabled ?? true,
        extra: toJson(input.extra),
      })
      .execute();
    return this.get(id);
  }

  async get(id: string): Promise<CatalogServiceRef> {
    const row = await this.store.db.selectFrom('identity_catalog_services').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new NotFound(`Could not find service: ${id}.`);
    return toRef(row);
  }

  async list(filter: { readonly type?: string; readonly name?: string } = {}): Promise<CatalogServiceRef[]> {
    let query = this.store.db.selectFrom('identity_catalog_services').selectAll().orderBy('type').orderBy('id');
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    return (await query.execute()).map(toRef);
  }

  async update(id: string, patch: CatalogServiceUpdate): Promise<CatalogServiceRef> {
    const current = await this.get(id);
    await this.store.db
      .updateTable('identity_catalog_services')
      .set({
        type: patch.type ?? current.type,
        name: patch.name === undefined ? current.name : patch.name,
        description: patch.description === undefined ? current.description : patch.description,
        enabled: patch.enabled ?? current.enabled,
        extra: toJson(mergeExtra(current.extra, patch.extra)),
      })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Deletes the service with its endpoints. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_endpoints').where('service_id', '=', id).execute();
      await trx.deleteFrom('identity_catalog_services').where('id', '=', id).execute();
    });
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
