import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

export interface ProjectRowFilter {
  readonly name?: string;
  readonly domain_id?: string;
  readonly parent_id?: string;
  readonly enabled?: boolean;
  readonly ids?: readonly string[];
}

/** identity_projects and their hierarchy. */
export class ProjectStore extends EntityTable<'identity_projects'> {
  constructor(database: Database) {
    super(database, 'identity_projects', 'project');
  }

  findByName(name: string, domainId: string): Promise<EntityRow<'identity_projects'> | undefined> {
    return this.db.selectFrom('identity_projects').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
  }

  list(filter: ProjectRowFilter = {}): Promise<EntityRow<'identity_projects'>[]> {
    return this.listMatching(filter, ['name', 'domain_id', 'parent_id', 'enabled'], ['name', 'id']);
  }

  /** The projects directly below any of `parentIds`. */
  childrenOf(parentIds: readonly string[]): Promise<EntityRow<'identity_projects'>[]> {
    return this.db.selectFrom('identity_projects').selectAll().where('parent_id', 'in', parentIds).execute();
  }

  async hasChildren(id: string): Promise<boolean> {
    return (await this.db.selectFrom('identity_projects').select('id').where('parent_id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Deletes the project and the role assignments on it. */
  async deleteWithAssignments(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_assignments').where('target_id', '=', id).execute();
      await trx.deleteFrom('identity_projects').where('id', '=', id).execute();
    });
  }
}
