import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { VolumeTables } from './tables.js';

/** What each of volume's stores stands on: the volume tables, and the clock its timestamps are read from. */
export abstract class VolumeTableStore {
  protected readonly db: Kysely<VolumeTables>;
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(database: Database, now: () => Date = () => new Date()) {
    this.db = database.kysely.withTables<VolumeTables>();
    this.#database = database;
    this.#now = now;
  }

  /** Whether `error` is the engine's duplicate-key error (a concurrent insert of the same key). */
  isUniqueViolation(error: unknown): boolean {
    return this.#database.isUniqueViolation(error);
  }

  /** The store's clock: services stamp the records they build with it. */
  now(): Date {
    return this.#now();
  }
}
