/** The one door to volume_type_projects: which projects a private volume type is open to. */
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { VolumeTableStore } from './table-store.js';

export class TypeAccessStore extends VolumeTableStore {
  readonly #database: Database;

  constructor(database: Database, now?: () => Date) {
    super(database, now);
    this.#database = database;
  }

  /** False when the project already had access. */
  async add(volumeTypeId: string, projectId: string): Promise<boolean> {
    try {
      await this.db.insertInto('volume_type_projects').values({ volume_type_id: volumeTypeId, project_id: projectId, created_at: toDbTimestamp(this.now()) }).execute();
      return true;
    } catch (error) {
      if (!this.#database.isUniqueViolation(error)) throw error;
      return false;
    }
  }

  /** False when the project had no access. */
  async remove(volumeTypeId: string, projectId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('volume_type_projects').where('volume_type_id', '=', volumeTypeId).where('project_id', '=', projectId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The projects the type is open to, in order. */
  async projectsOf(volumeTypeId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('volume_type_projects').select('project_id').where('volume_type_id', '=', volumeTypeId).orderBy('project_id').execute();
    return rows.map((row) => row.project_id);
  }

  /** The types opened to the project. */
  async typesOf(projectId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('volume_type_projects').select('volume_type_id').where('project_id', '=', projectId).execute();
    return rows.map((row) => row.volume_type_id);
  }

  /** A deleted type's grants go with it. */
  async removeAll(volumeTypeId: string): Promise<void> {
    await this.db.deleteFrom('volume_type_projects').where('volume_type_id', '=', volumeTypeId).execute();
  }
}
