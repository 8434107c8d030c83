import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

export type CredentialRow = EntityRow<'identity_credentials'>;

export interface CredentialRowFilter {
  readonly user_id?: string;
  readonly type?: string;
}

/** identity_credentials: the /v3/credentials rows, ec2 ones included. */
export class CredentialStore extends EntityTable<'identity_credentials'> {
  constructor(database: Database) {
    super(database, 'identity_credentials', 'credential');
  }

  list(filter: CredentialRowFilter = {}): Promise<CredentialRow[]> {
    return this.listMatching(filter, ['user_id', 'type'], ['id']);
  }

  /** Keystone's callbacks: a deleted user's or project's credentials go with it. */
  async deleteOf(owner: { readonly userId: string } | { readonly projectId: string }): Promise<void> {
    const query = this.db.deleteFrom('identity_credentials');
    await ('userId' in owner ? query.where('user_id', '=', owner.userId) : query.where('project_id', '=', owner.projectId)).execute();
  }
}
