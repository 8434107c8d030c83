import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import {
  itemKey,
  type AssociationFields,
  type AssociationRef,
  type ItemFields,
  type MetadefItem,
  type MetadefKind,
  type MetadefVisibility,
  type NamespaceFields,
  type NamespaceRef,
  type NamespaceSort,
  type ResourceTypeRef,
} from '../metadefs/metadef.js';
import type { Viewer } from './image-record-store.js';
import type { MetadefItemsTable, MetadefNamespacesTable, MetadefTables } from './tables.js';

type Db = Kysely<MetadefTables>;

/** What a namespace is created with besides its attributes. */
export interface NamespaceContents {
  readonly items: readonly { readonly kind: MetadefKind; readonly item: ItemFields }[];
  readonly associations: readonly AssociationFields[];
}

/**
 * The metadefs' store: the only code issuing SQL against the metadef tables. Knows SQL and the
 * visibility filter of a listing, not policy. Unique names are the tables' keys, so a duplicate
 * surfaces as the engine's unique violation for the caller to turn into a 409.
 */
export class MetadefRecordStore {
  readonly #db: Db;

  constructor(
    database: Database,
    private readonly now: () => Date,
  ) {
    this.#db = database.kysely.withTables<MetadefTables>();
  }

  async findNamespace(name: string): Promise<NamespaceRef | undefined> {
    const row = await this.#db.selectFrom('image_metadef_namespaces').selectAll().where('namespace', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toNamespace(row);
  }

  /** The namespaces the viewer may see, optionally of one visibility or associated with one of the resource types. */
  async listNamespaces(viewer: Viewer, filter: { visibility?: MetadefVisibility; resourceTypes?: readonly string[]; sort: NamespaceSort }): Promise<NamespaceRef[]> {
    let select = this.#db.selectFrom('image_metadef_namespaces').selectAll();
    if (!viewer.isAdmin) {
      select = select.where((eb) =>
        eb.or([eb('visibility', '=', 'public'), eb('owner', 'is', null), ...(viewer.projectId === undefined ? [] : [eb('owner', '=', viewer.projectId)])]),
      );
    }
    if (filter.visibility !== undefined) select = select.where('visibility', '=', filter.visibility);
    const types = filter.resourceTypes;
    if (types !== undefined && types.length > 0) {
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('image_metadef_associations')
            .select('namespace_id')
            .whereRef('image_metadef_associations.namespace_id', '=', 'image_metadef_namespaces.id')
            .where('resource_type', 'in', types),
        ),
      );
    }
    const rows = await select.orderBy(filter.sort.key, filter.sort.dir).orderBy('namespace', filter.sort.dir).execute();
    return rows.map(toNamespace);
  }

  async insertNamespace(id: string, fields: NamespaceFields, contents: NamespaceContents): Promise<void> {
    const stamp = this.#timestamp();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('image_metadef_namespaces')
        .values({ id, ...fields, created_at: stamp, updated_at: stamp })
        .execute();
      for (const { kind, item } of contents.items) await insertItem(trx, id, kind, item, stamp);
      for (const association of contents.associations) await insertAssociation(trx, id, association, stamp);
    });
  }

  async updateNamespace(id: string, fields: NamespaceFields): Promise<void> {
    await this.#db
      .updateTable('image_metadef_namespaces')
      .set({ ...fields, updated_at: this.#timestamp() })
      .where('id', '=', id)
      .execute();
  }

  /** Removes the namespace with everything it holds. */
  async deleteNamespace(id: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('image_metadef_items').where('namespace_id', '=', id).execute();
      await trx.deleteFrom('image_metadef_associations').where('namespace_id', '=', id).execute();
      await trx.deleteFrom('image_metadef_namespaces').where('id', '=', id).execute();
    });
  }

  async listItems(namespaceId: string, kind: MetadefKind): Promise<MetadefItem[]> {
    const rows = await this.#db
      .selectFrom('image_metadef_items')
      .selectAll()
      .where('namespace_id', '=', namespaceId)
      .where('kind', '=', kind)
      .orderBy('created_at')
      .orderBy('item_key')
      .execute();
    return rows.map(toItem);
  }

  async findItem(namespaceId: string, kind: MetadefKind, name: string): Promise<MetadefItem | undefined> {
    const row = await this.#db
      .selectFrom('image_metadef_items')
      .selectAll()
      .where('namespace_id', '=', namespaceId)
      .where('kind', '=', kind)
      .where('item_key', '=', itemKey(kind, name))
      .executeTakeFirst();
    return row === undefined ? undefined : toItem(row);
  }

  async insertItem(namespaceId: string, kind: MetadefKind, item: ItemFields): Promise<void> {
    await insertItem(this.#db, namespaceId, kind, item, this.#timestamp());
  }

  /** Replaces the item named `name` (its name may change); false when there is none. */
  async updateItem(namespaceId: string, kind: MetadefKind, name: string, item: ItemFields): Promise<boolean> {
    const result = await this.#db
      .updateTable('image_metadef_items')
      .set({ item_key: itemKey(kind, item.name), name: item.name, body: JSON.stringify(item.body), updated_at: this.#timestamp() })
      .where('namespace_id', '=', namespaceId)
      .where('kind', '=', kind)
      .where('item_key', '=', itemKey(kind, name))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteItem(namespaceId: string, kind: MetadefKind, name: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('image_metadef_items')
      .where('namespace_id', '=', namespaceId)
      .where('kind', '=', kind)
      .where('item_key', '=', itemKey(kind, name))
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteItems(namespaceId: string, kind: MetadefKind): Promise<void> {
    await this.#db.deleteFrom('image_metadef_items').where('namespace_id', '=', namespaceId).where('kind', '=', kind).execute();
  }

  /** Adds the items of one kind at once, after removing those there were unless `append`; all or nothing. */
  async replaceItems(namespaceId: string, kind: MetadefKind, items: readonly ItemFields[], append: boolean): Promise<void> {
    const stamp = this.#timestamp();
    await this.#db.transaction().execute(async (trx) => {
      if (!append) await trx.deleteFrom('image_metadef_items').where('namespace_id', '=', namespaceId).where('kind', '=', kind).execute();
      for (const item of items) await insertItem(trx, namespaceId, kind, item, stamp);
    });
  }

  async listResourceTypes(): Promise<ResourceTypeRef[]> {
    return this.#db.selectFrom('image_metadef_resource_types').selectAll().orderBy('created_at').orderBy('name').execute();
  }

  async listAssociations(namespaceId: string): Promise<AssociationRef[]> {
    const rows = await this.#db
      .selectFrom('image_metadef_associations')
      .selectAll()
      .where('namespace_id', '=', namespaceId)
      .orderBy('created_at')
      .orderBy('resource_type')
      .execute();
    return rows.map((row) => ({
      name: row.resource_type,
      prefix: row.prefix,
      properties_target: row.properties_target,
      created_at: row.created_at,
      updated_at: row.updated_at,
    }));
  }

  /** Associates the namespace with the resource type, creating the type if it is new (as Glance does). */
  async insertAssociation(namespaceId: string, association: AssociationFields): Promise<AssociationRef> {
    const stamp = this.#timestamp();
    await this.#db.transaction().execute((trx) => insertAssociation(trx, namespaceId, association, stamp));
    return { name: association.name, prefix: association.prefix ?? null, properties_target: association.properties_target ?? null, created_at: stamp, updated_at: stamp };
  }

  async deleteAssociation(namespaceId: string, resourceType: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('image_metadef_associations')
      .where('namespace_id', '=', namespaceId)
      .where('resource_type', '=', resourceType)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  #timestamp(): string {
    return toDbTimestamp(this.now());
  }
}

async function insertItem(db: Db | Transaction<MetadefTables>, namespaceId: string, kind: MetadefKind, item: ItemFields, stamp: string): Promise<void> {
  await db
    .insertInto('image_metadef_items')
    .values({ namespace_id: namespaceId, kind, item_key: itemKey(kind, item.name), name: item.name, body: JSON.stringify(item.body), created_at: stamp, updated_at: stamp })
    .execute();
}

async function insertAssociation(trx: Transaction<MetadefTables>, namespaceId: string, association: AssociationFields, stamp: string): Promise<void> {
  const known = await trx.selectFrom('image_metadef_resource_types').select('name').where('name', '=', association.name).executeTakeFirst();
  if (known === undefined) await trx.insertInto('image_metadef_resource_types').values({ name: association.name, created_at: stamp, updated_at: stamp }).execute();
  await trx
    .insertInto('image_metadef_associations')
    .values({
      namespace_id: namespaceId,
      resource_type: association.name,
      prefix: association.prefix ?? null,
      properties_target: association.properties_target ?? null,
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
}

function toNamespace(row: Selectable<MetadefNamespacesTable>): NamespaceRef {
  return { ...row, visibility: row.visibility as MetadefVisibility, protected: Boolean(row.protected) };
}

function toItem(row: Selectable<MetadefItemsTable>): MetadefItem {
  return { name: row.name, body: JSON.parse(row.body) as Record<string, unknown>, created_at: row.created_at, updated_at: row.updated_at };
}
