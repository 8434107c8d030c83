/**
 * A project's quota lock: its quota checks and the writes they allow run one at a time, in one
 * transaction, on every engine (Cinder reserves usage first; Nimbus counts it under this lock).
 */
import { heldTransaction, VolumeTableStore } from './table-store.js';

export class ProjectLockStore extends VolumeTableStore {
  /**
   * Runs `work` holding the project's lock, every store's queries in its transaction: committed
   * if `work` resolves, rolled back if it throws. Held already (a create inside another): runs in it.
   */
  async withLock<T>(projectId: string, work: () => Promise<T>): Promise<T> {
    if (heldTransaction.getStore()?.database === this.database) return work();
    await this.#ensureRow(projectId);
    return this.db.transaction().execute(async (trx) => {
      // SQLite's one connection serialises transactions already; the servers lock the row until commit.
      if (this.database.capabilities.rowLocking) {
        await trx.selectFrom('volume_quota_locks').select('project_id').where('project_id', '=', projectId).forUpdate().executeTakeFirst();
      }
      return heldTransaction.run({ database: this.database, trx }, work);
    });
  }

  /** The lock row, made outside the transaction: a duplicate-key error would abort a PostgreSQL one. */
  async #ensureRow(projectId: string): Promise<void> {
    const row = await this.db.selectFrom('volume_quota_locks').select('project_id').where('project_id', '=', projectId).executeTakeFirst();
    if (row !== undefined) return;
    try {
      await this.db.insertInto('volume_quota_locks').values({ project_id: projectId }).execute();
    } catch (error) {
      if (!this.isUniqueViolation(error)) throw error;
    }
  }
}
