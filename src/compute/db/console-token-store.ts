/** compute_console_auth_tokens (Nova's ConsoleAuthToken objects): console tokens by their hash. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables, ConsoleAuthTokensTable } from './tables.js';

export type ConsoleAuthTokenRow = Selectable<ConsoleAuthTokensTable>;

export class ConsoleTokenStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async insert(row: Insertable<ConsoleAuthTokensTable>): Promise<void> {
    await this.#db.insertInto('compute_console_auth_tokens').values(row).execute();
  }

  /** The unexpired token with this hash, left in place (the admin's look-up). */
  findValid(tokenHash: string, now: Date): Promise<ConsoleAuthTokenRow | undefined> {
    return this.#db.selectFrom('compute_console_auth_tokens').selectAll().where('token_hash', '=', tokenHash).where('expires', '>', toDbTimestamp(now)).executeTakeFirst();
  }

  /**
   * Takes the unexpired token with this hash away and returns it: of two connections racing
   * with one token, the delete lets exactly one have it.
   */
  async consume(tokenHash: string, now: Date): Promise<ConsoleAuthTokenRow | undefined> {
    const row = await this.findValid(tokenHash, now);
    if (row === undefined) return undefined;
    const deleted = await this.#db.deleteFrom('compute_console_auth_tokens').where('token_hash', '=', tokenHash).executeTakeFirst();
    return deleted.numDeletedRows > 0n ? row : undefined;
  }

  /** Drops the tokens that expired (Nova's clean_expired_console_auths). */
  async deleteExpired(now: Date): Promise<void> {
    await this.#db.deleteFrom('compute_console_auth_tokens').where('expires', '<=', toDbTimestamp(now)).execute();
  }
}
