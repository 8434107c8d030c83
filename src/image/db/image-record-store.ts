import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest } from '../../common/errors/errors.js';
import type { ImageMembersTable, ImagesTable, ImageTables } from './tables.js';
import type { ImageMemberRef, ImageRef, ImageStatus, MemberStatus, Visibility } from '../images/image.js';
import type { ImageListQuery, SortKey } from '../images/list-query.js';

type Db = Kysely<ImageTables>;
type ImageRow = Selectable<ImagesTable>;
type Eb = ExpressionBuilder<ImageTables, 'image_images'>;

/** Who is listing: visibility rules depend on the project and on being an administrator. */
export interface Viewer {
  readonly projectId?: string;
  readonly isAdmin: boolean;
}

/** Column changes an update may make (never id or created_at). */
export type ImageColumns = Omit<Updateable<ImagesTable>, 'id' | 'created_at' | 'updated_at'>;

/** Changes to an image's extra properties and tags, applied with its columns in one transaction. */
export interface ImageChanges {
  readonly columns?: ImageColumns;
  readonly setProperties?: Readonly<Record<string, string>>;
  readonly removeProperties?: readonly string[];
  readonly tags?: readonly string[];
}

/** Nullable sort columns compare through these stand-ins, so every engine orders nulls alike. */
const NULL_STAND_IN: Readonly<Record<SortKey, string | number | undefined>> = {
  name: '',
  status: undefined,
  container_format: '',
  disk_format: '',
  size: -1,
  id: undefined,
  created_at: undefined,
  updated_at: undefined,
};

/**
 * Image's store: the only code issuing SQL against the image tables. Rows in, ImageRefs out; knows
 * SQL, not who may see what beyond the list filter. (The image *data* lives in `stores/`.)
 */
export class ImageRecordStore {
  readonly #db: Db;
  readonly #isUniqueViolation: (error: unknown) => boolean;

  constructor(
    database: Database,
    private readonly now: () => Date,
  ) {
    this.#db = database.kysely.withTables<ImageTables>();
    this.#isUniqueViolation = (error) => database.isUniqueViolation(error);
  }

  timestamp(): string {
    return toDbTimestamp(this.now());
  }

  async insert(row: ImageRow, tags: readonly string[], properties: Readonly<Record<string, string>>): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('image_images').values(row).execute();
      await insertTags(trx, row.id, tags);
      await setProperties(trx, row.id, properties);
    });
  }

  async find(id: string): Promise<ImageRef | undefined> {
    const row = await this.#db.selectFrom('image_images').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : (await this.#withDetails([row]))[0];
  }

  /** One page of the images the viewer may list, in the query's order, after its marker. */
  async list(viewer: Viewer, query: ImageListQuery): Promise<ImageRef[]> {
    let select = this.#db
      .selectFrom('image_images')
      .selectAll()
      .where((eb) => visibleTo(eb, viewer, query));
    for (const { column, values } of query.oneOf) select = select.where(column, 'in', values);
    for (const { column, value } of query.equal) select = select.where(column, '=', value);
    for (const { column, op, value } of query.times) select = select.where(column, SQL_OPERATORS[op], value);
    if (query.size.min !== undefined) select = select.where('size', '>=', query.size.min);
    if (query.size.max !== undefined) select = select.where('size', '<=', query.size.max);
    if (query.virtualSize.min !== undefined) select = select.where('virtual_size', '>=', query.virtualSize.min);
    if (query.virtualSize.max !== undefined) select = select.where('virtual_size', '<=', query.virtualSize.max);
    select = select.where('os_hidden', '=', query.osHidden);
    if (query.protected !== undefined) select = select.where('protected', '=', query.protected);
    for (const tag of query.tags) {
      select = select.where((eb) =>
        eb.exists(eb.selectFrom('image_tags').select('image_id').whereRef('image_tags.image_id', '=', 'image_images.id').where('value', '=', tag)),
      );
    }
    for (const [name, value] of Object.entries(query.properties)) {
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('image_properties')
            .select('image_id')
            .whereRef('image_properties.image_id', '=', 'image_images.id')
            .where('name', '=', name)
            .where('value', '=', value),
        ),
      );
    }
    if (query.marker !== undefined) {
      const marker = await this.#db.selectFrom('image_images').selectAll().where('id', '=', query.marker).executeTakeFirst();
      if (marker === undefined) throw new BadRequest(`No image found with ID ${query.marker}`);
      select = select.where((eb) => after(eb, query.sort, marker));
    }
    for (const { key, dir } of query.sort) select = select.orderBy(sortExpression(key), dir);
    const rows = await select.limit(query.limit).execute();
    return this.#withDetails(rows);
  }

  /** Applies the changes and bumps updated_at; false when the image no longer exists. */
  async update(id: string, changes: ImageChanges): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('image_images')
        .set({ ...changes.columns, updated_at: this.timestamp() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      if (changes.removeProperties !== undefined && changes.removeProperties.length > 0) {
        await trx.deleteFrom('image_properties').where('image_id', '=', id).where('name', 'in', changes.removeProperties).execute();
      }
      await setProperties(trx, id, changes.setProperties ?? {});
      if (changes.tags !== undefined) {
        await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
        await insertTags(trx, id, changes.tags);
      }
      return true;
    });
  }

  /** Moves the image from one status to another only if it is still in the first: true when this caller won. */
  async compareAndSetStatus(id: string, from: ImageStatus, to: ImageStatus, columns: ImageColumns = {}): Promise<boolean> {
    const result = await this.#db
      .updateTable('image_images')
      .set({ ...columns, status: to, updated_at: this.timestamp() })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Sets a property only if the image does not have it yet (Glance's set_property_atomic, the
   * import lock): true when this caller set it.
   */
  async claimProperty(id: string, name: string, value: string): Promise<boolean> {
    try {
      await this.#db.insertInto('image_properties').values({ image_id: id, name, value }).execute();
      return true;
    } catch (error) {
      if (this.#isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Removes a property only if it still has `value` (Glance's delete_property_atomic): true when this caller removed it. */
  async releaseProperty(id: string, name: string, value: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('image_properties').where('image_id', '=', id).where('name', '=', name).where('value', '=', value).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Records that `store` holds the image's data (already recorded: nothing to do). */
  async addLocation(id: string, store: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const present = await trx.selectFrom('image_locations').select('store').where('image_id', '=', id).where('store', '=', store).executeTakeFirst();
      if (present === undefined) await trx.insertInto('image_locations').values({ image_id: id, store, created_at: this.timestamp() }).execute();
      await trx.updateTable('image_images').set({ updated_at: this.timestamp() }).where('id', '=', id).execute();
    });
  }

  /** False when `store` held no data of the image. */
  async removeLocation(id: string, store: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('image_locations').where('image_id', '=', id).where('store', '=', store).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async delete(id: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const table of ['image_members', 'image_tags', 'image_properties', 'image_locations'] as const) {
        await trx.deleteFrom(table).where('image_id', '=', id).execute();
      }
      await trx.deleteFrom('image_images').where('id', '=', id).execute();
    });
  }

  async addTag(id: string, tag: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const present = await trx.selectFrom('image_tags').select('value').where('image_id', '=', id).where('value', '=', tag).executeTakeFirst();
      if (present === undefined) await insertTags(trx, id, [tag]);
      await trx.updateTable('image_images').set({ updated_at: this.timestamp() }).where('id', '=', id).execute();
    });
  }

  /** False when the image had no such tag. */
  async deleteTag(id: string, tag: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('image_tags').where('image_id', '=', id).where('value', '=', tag).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Images the project owns (the image_count_total quota). */
  async countOwned(owner: string): Promise<number> {
    const row = await this.#db
      .selectFrom('image_images')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('owner', '=', owner)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The project's images whose data is on its way in (the image_count_uploading usage). */
  async countUploading(owner: string): Promise<number> {
    const row = await this.#db
      .selectFrom('image_images')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('owner', '=', owner)
      .where('status', 'in', ['saving', 'uploading', 'importing'])
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Bytes of data the project's staged images (uploading, importing) hold (the image_stage_total usage). */
  async sizeStaged(owner: string): Promise<number> {
    const row = await this.#db
      .selectFrom('image_images')
      .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
      .where('owner', '=', owner)
      .where('status', 'in', ['uploading', 'importing'])
      .executeTakeFirstOrThrow();
    return Number(row.total ?? 0);
  }

  /** Bytes of data the project's images hold (the image_size_total quota). */
  async sizeOwned(owner: string): Promise<number> {
    const row = await this.#db
      .selectFrom('image_images')
      .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
      .where('owner', '=', owner)
      .executeTakeFirstOrThrow();
    return Number(row.total ?? 0);
  }

  async findMember(imageId: string, member: string): Promise<ImageMemberRef | undefined> {
    const row = await this.#db
      .selectFrom('image_members')
      .selectAll()
      .where('image_id', '=', imageId)
      .where('member', '=', member)
      .executeTakeFirst();
    return row === undefined ? undefined : toMemberRef(row);
  }

  async listMembers(imageId: string): Promise<ImageMemberRef[]> {
    const rows = await this.#db.selectFrom('image_members').selectAll().where('image_id', '=', imageId).orderBy('created_at').orderBy('member').execute();
    return rows.map(toMemberRef);
  }

  /** Adds a pending member; throws the driver's unique violation when it is already one. */
  async insertMember(imageId: string, member: string): Promise<void> {
    const now = this.timestamp();
    await this.#db.insertInto('image_members').values({ image_id: imageId, member, status: 'pending', created_at: now, updated_at: now }).execute();
  }

  async updateMember(imageId: string, member: string, status: MemberStatus): Promise<void> {
    await this.#db
      .updateTable('image_members')
      .set({ status, updated_at: this.timestamp() })
      .where('image_id', '=', imageId)
      .where('member', '=', member)
      .execute();
  }

  async deleteMember(imageId: string, member: string): Promise<void> {
    await this.#db.deleteFrom('image_members').where('image_id', '=', imageId).where('member', '=', member).execute();
  }

  /** Rows with their tags and properties, loaded in two queries for the whole page. */
  async #withDetails(rows: readonly ImageRow[]): Promise<ImageRef[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [tags, properties, locations] = await Promise.all([
      this.#db.selectFrom('image_tags').selectAll().where('image_id', 'in', ids).orderBy('value').execute(),
      this.#db.selectFrom('image_properties').selectAll().where('image_id', 'in', ids).orderBy('name').execute(),
      this.#db.selectFrom('image_locations').selectAll().where('image_id', 'in', ids).orderBy('created_at').orderBy('store').execute(),
    ]);
    return rows.map((row) => ({
      ...row,
      status: row.status as ImageStatus,
      visibility: row.visibility as Visibility,
      tags: tags.filter((tag) => tag.image_id === row.id).map((tag) => tag.value),
      stores: locations.filter((location) => location.image_id === row.id).map((location) => location.store),
      properties: Object.fromEntries(properties.filter((property) => property.image_id === row.id).map((property) => [property.name, property.value])),
    }));
  }
}

const SQL_OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '<>' } as const;

/**
 * Glance's `_select_images_query`: a regular user sees public and community images, their own,
 * and shared images they are a member of (with the requested member status); an administrator
 * sees all. Without a visibility filter, community images are listed only to their owner.
 */
function visibleTo(eb: Eb, viewer: Viewer, query: ImageListQuery) {
  const conditions = [];
  if (!viewer.isAdmin) {
    const reachable = [eb('visibility', 'in', ['public', 'community'])];
    if (viewer.projectId !== undefined) {
      const projectId = viewer.projectId;
      reachable.push(eb('owner', '=', projectId));
      let membership = eb
        .selectFrom('image_members')
        .select('image_members.image_id')
        .whereRef('image_members.image_id', '=', 'image_images.id')
        .where('image_members.member', '=', projectId);
      if (query.memberStatus !== 'all') membership = membership.where('image_members.status', '=', query.memberStatus);
      reachable.push(eb.and([eb('visibility', '=', 'shared'), eb.exists(membership)]));
    }
    conditions.push(eb.or(reachable));
  }
  if (query.visibility !== undefined) {
    if (query.visibility !== 'all') conditions.push(eb('visibility', '=', query.visibility));
  } else if (viewer.projectId === undefined) {
    conditions.push(eb('visibility', '<>', 'community'));
  } else {
    conditions.push(eb.or([eb('owner', '=', viewer.projectId), eb('visibility', '<>', 'community')]));
  }
  return eb.and(conditions);
}

function sortExpression(key: SortKey) {
  const standIn = NULL_STAND_IN[key];
  return standIn === undefined ? sql.ref(`image_images.${key}`) : sql`coalesce(${sql.ref(`image_images.${key}`)}, ${standIn})`;
}

/** Keyset paging: rows strictly after the marker row in the (total) sort order. */
function after(eb: Eb, sort: ImageListQuery['sort'], marker: ImageRow) {
  const valueOf = (key: SortKey) => marker[key] ?? NULL_STAND_IN[key] ?? null;
  return eb.or(
    sort.map(({ key, dir }, index) =>
      eb.and([
        ...sort.slice(0, index).map((earlier) => eb(sortExpression(earlier.key), '=', valueOf(earlier.key))),
        eb(sortExpression(key), dir === 'asc' ? '>' : '<', valueOf(key)),
      ]),
    ),
  );
}

async function insertTags(trx: Transaction<ImageTables>, id: string, tags: readonly string[]): Promise<void> {
  const unique = [...new Set(tags)];
  if (unique.length > 0) await trx.insertInto('image_tags').values(unique.map((value) => ({ image_id: id, value }))).execute();
}

/** Replaces the named properties' values (delete then insert: portable across engines). */
async function setProperties(trx: Transaction<ImageTables>, id: string, properties: Readonly<Record<string, string>>): Promise<void> {
  const names = Object.keys(properties);
  if (names.length === 0) return;
  await trx.deleteFrom('image_properties').where('image_id', '=', id).where('name', 'in', names).execute();
  await trx.insertInto('image_properties').values(Object.entries(properties).map(([name, value]) => ({ image_id: id, name, value }))).execute();
}

function toMemberRef(row: Selectable<ImageMembersTable>): ImageMemberRef {
  return {
    image_id: row.image_id,
    member_id: row.member,
    status: row.status as MemberStatus,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
