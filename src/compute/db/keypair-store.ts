/** compute_key_pairs (Nova's KeyPair objects): per user, by name. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { BadRequest, Conflict } from '../../common/errors/errors.js';
import type { ComputeTables, KeyPairsTable } from './tables.js';

export type KeyPairRow = Selectable<KeyPairsTable>;

export class KeyPairStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(private readonly database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** By name; a page after `marker` (a key pair name, 400 when the user has none of it) of at most `limit`. */
  async list(userId: string, page: { readonly limit?: number; readonly marker?: string } = {}): Promise<KeyPairRow[]> {
    let select = this.#db.selectFrom('compute_key_pairs').selectAll().where('user_id', '=', userId).orderBy('name');
    if (page.marker !== undefined) {
      const marker = await this.#db.selectFrom('compute_key_pairs').select('name').where('user_id', '=', userId).where('name', '=', page.marker).executeTakeFirst();
      if (marker === undefined) throw new BadRequest(`Marker ${page.marker} could not be found.`);
      select = select.where('name', '>', marker.name);
    }
    if (page.limit !== undefined) select = select.limit(page.limit);
    return select.execute();
  }

  get(userId: string, name: string): Promise<KeyPairRow | undefined> {
    return this.#db.selectFrom('compute_key_pairs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
  }

  /** A name the user already has is 409. */
  async insert(row: Insertable<KeyPairsTable>): Promise<void> {
    try {
      await this.#db.insertInto('compute_key_pairs').values(row).execute();
    } catch (error) {
      if (this.database.isUniqueViolation(error)) throw new Conflict(`Key pair '${row.name}' already exists.`);
      throw error;
    }
  }

  /** False when the user had no such key pair. */
  async delete(userId: string, name: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('compute_key_pairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countOf(userId: string): Promise<number> {
    const { count } = await this.#db
      .selectFrom('compute_key_pairs')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }
}
