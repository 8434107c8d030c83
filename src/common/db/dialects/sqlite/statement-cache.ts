/**
 * Prepared statements kept by SQL text. Kysely prepares every query afresh, and on SQLite
 * preparing a statement (and reading its column types, see sqlite-booleans.ts) costs more than
 * running most of the small queries a control plane makes. The cache is bounded (least recently
 * used goes first) because `in (?, ?, …)` lists make many texts; DDL empties it, as a changed
 * table changes what a prepared `select *` returns; a statement still being iterated is never
 * handed out a second time.
 */
const DDL = /^\s*(create|alter|drop)\b/i;

export interface Reusable {
  /** True while the statement is being iterated. */
  readonly busy: boolean;
}

export class StatementCache<S extends Reusable> {
  readonly #statements = new Map<string, S>();

  constructor(
    private readonly prepare: (sql: string) => S,
    private readonly capacity = 500,
  ) {}

  get(sql: string): S {
    if (DDL.test(sql)) {
      this.#statements.clear();
      return this.prepare(sql);
    }
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      if (cached.busy) return this.prepare(sql);
      // Re-inserted, so the Map's order stays least recently used first.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.capacity) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return statement;
  }
}
