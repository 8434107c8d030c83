import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

/** identity_policies: the /v3/policies blobs. */
export class PolicyStore extends EntityTable<'identity_policies'> {
  constructor(database: Database) {
    super(database, 'identity_policies', 'policy');
  }

  list(filter: { readonly type?: string } = {}): Promise<EntityRow<'identity_policies'>[]> {
    return this.listMatching(filter, ['type'], ['id']);
  }
}
