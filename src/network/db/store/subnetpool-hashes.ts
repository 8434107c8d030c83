import type { Kysely } from 'kysely';
import type { NetworkTables } from '../tables.js';

/**
 * Neutron's subnet pool allocation lock: a compare-and-set of the pool's hash. Every engine lets
 * only one of two transactions that read the same hash change it (the second's UPDATE waits for
 * the first's row lock, then finds the hash changed), so an allocation that read a stale pool
 * fails here instead of committing an overlapping subnet.
 */
export class SubnetPoolHashes {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  /** Sets the pool's hash to `next` if it is still `expected`; false when another allocation changed it first. */
  async swap(poolId: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db.updateTable('net_subnetpools').set({ hash: next }).where('id', '=', poolId).where('hash', '=', expected).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
