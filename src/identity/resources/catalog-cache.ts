/**
 * The enabled services and endpoints that every scoped token's body carries, kept in memory as
 * Keystone's catalog driver keeps them with oslo.cache (`[catalog] cache_time`): reading them
 * took two queries on every token issue and validate. A write through this process's catalog
 * managers drops the copy at once; a write by another API process on the same database shows
 * here within `cache_time` seconds (0 reads the database every time).
 */
import type { EntityRow } from '../db/entity-table.js';

/** The catalog's rows as the token body is built from them. */
export interface CatalogRows {
  readonly services: readonly EntityRow<'identity_catalog_services'>[];
  readonly endpoints: readonly EntityRow<'identity_endpoints'>[];
}

export class CatalogCache {
  #entry: { readonly rows: Promise<CatalogRows>; readonly until: number } | undefined;

  constructor(
    private readonly read: () => Promise<CatalogRows>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  rows(): Promise<CatalogRows> {
    if (this.ttlMs <= 0) return this.read();
    const now = this.now();
    if (this.#entry !== undefined && this.#entry.until > now) return this.#entry.rows;
    const entry = { rows: this.read(), until: now + this.ttlMs };
    this.#entry = entry;
    // A failed read is not kept: the next token asks the database again.
    entry.rows.catch(() => {
      if (this.#entry === entry) this.#entry = undefined;
    });
    return entry.rows;
  }

  /** Called after every catalog write, so a read begun before the write is not served after it. */
  invalidate(): void {
    this.#entry = undefined;
  }
}
