import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { VolumeTables } from './tables.js';

/** The transaction a quota lock holds (project-lock-store.ts), and the database it is on. */
interface HeldTransaction {
  readonly database: Database;
  readonly trx: Transaction<VolumeTables>;
}

/**
 * The transaction of the project lock the current request holds, if any. Every store's queries
 * made under it run in it, so a quota check's counts (volumes, snapshots, backups, groups: four
 * stores) and the insert it allows are one transaction without each store taking a transaction.
 */
export const heldTransaction = new AsyncLocalStorage<HeldTransaction>();

/** What each of volume's stores stands on: the volume tables, and the clock its timestamps are read from. */
export abstract class VolumeTableStore {
  readonly #kysely: Kysely<VolumeTables>;
  protected readonly database: Database;
  readonly #now: () => Date;

  constructor(database: Database, now: () => Date = () => new Date()) {
    this.#kysely = database.kysely.withTables<VolumeTables>();
    this.database = database;
    this.#now = now;
  }

  /** The tables: in the project lock's transaction while one is held on this database (see heldTransaction). */
  protected get db(): Kysely<VolumeTables> {
    const held = heldTransaction.getStore();
    return held?.database === this.database ? held.trx : this.#kysely;
  }

  /**
   * Runs `work` in a transaction: the held lock's when there is one (Kysely cannot nest them; the
   * lock's commit or rollback is then this work's too), else one of its own.
   */
  protected transaction<T>(work: (trx: Transaction<VolumeTables>) => Promise<T>): Promise<T> {
    const held = heldTransaction.getStore();
    return held?.database === this.database ? work(held.trx) : this.#kysely.transaction().execute(work);
  }

  /** Whether `error` is the engine's duplicate-key error (a concurrent insert of the same key). */
  isUniqueViolation(error: unknown): boolean {
    return this.database.isUniqueViolation(error);
  }

  /** The store's clock: services stamp the records they build with it. */
  now(): Date {
    return this.#now();
  }
}
