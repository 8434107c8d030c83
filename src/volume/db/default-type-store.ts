/** The one door to volume_default_types: each project's own default volume type (3.62). */
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { VolumeTableStore } from './table-store.js';

export interface ProjectDefaultType {
  readonly projectId: string;
  readonly volumeTypeId: string;
}

export class DefaultTypeStore extends VolumeTableStore {
  /** Sets or replaces the project's default; a concurrent first set of the same project makes the other one's update win. */
  async set(entry: ProjectDefaultType): Promise<void> {
    const now = toDbTimestamp(this.now());
    const update = () =>
      this.db.updateTable('volume_default_types').set({ volume_type_id: entry.volumeTypeId, updated_at: now }).where('project_id', '=', entry.projectId).executeTakeFirst();
    if ((await update()).numUpdatedRows > 0n) return;
    try {
      await this.db.insertInto('volume_default_types').values({ project_id: entry.projectId, volume_type_id: entry.volumeTypeId, created_at: now, updated_at: null }).execute();
    } catch (error) {
      if (!this.isUniqueViolation(error)) throw error;
      await update();
    }
  }

  async find(projectId: string): Promise<ProjectDefaultType | undefined> {
    const row = await this.db.selectFrom('volume_default_types').select(['project_id', 'volume_type_id']).where('project_id', '=', projectId).executeTakeFirst();
    return row === undefined ? undefined : { projectId: row.project_id, volumeTypeId: row.volume_type_id };
  }

  /** Every project's default, or the projects whose default is `volumeTypeId`. */
  async list(volumeTypeId?: string): Promise<ProjectDefaultType[]> {
    let query = this.db.selectFrom('volume_default_types').select(['project_id', 'volume_type_id']);
    if (volumeTypeId !== undefined) query = query.where('volume_type_id', '=', volumeTypeId);
    const rows = await query.orderBy('project_id').execute();
    return rows.map((row) => ({ projectId: row.project_id, volumeTypeId: row.volume_type_id }));
  }

  async unset(projectId: string): Promise<void> {
    await this.db.deleteFrom('volume_default_types').where('project_id', '=', projectId).execute();
  }
}
