/** The one door to volume_quota_classes: each quota class's limits by resource. */
import { VolumeTableStore } from './table-store.js';

export class QuotaClassStore extends VolumeTableStore {
  async limits(className: string): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('volume_quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', className).execute();
    return new Map(rows.map((row) => [row.resource, Number(row.hard_limit)]));
  }

  /** Renames resources (old name → new name) in every class's limits. */
  async renameResources(renames: ReadonlyMap<string, string>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [from, to] of renames) await trx.updateTable('volume_quota_classes').set({ resource: to }).where('resource', '=', from).execute();
    });
  }

  /** Sets the class's limits for the given resources, all or none. */
  async set(className: string, limits: ReadonlyMap<string, number>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [resource, limit] of limits) {
        await trx.deleteFrom('volume_quota_classes').where('class_name', '=', className).where('resource', '=', resource).execute();
        await trx.insertInto('volume_quota_classes').values({ class_name: className, resource, hard_limit: limit }).execute();
      }
    });
  }
}
