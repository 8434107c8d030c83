import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

/** identity_oauth_consumers: OS-OAUTH1's consumers. */
export class OAuthConsumerStore extends EntityTable<'identity_oauth_consumers'> {
  constructor(database: Database) {
    super(database, 'identity_oauth_consumers', 'consumer');
  }

  list(): Promise<EntityRow<'identity_oauth_consumers'>[]> {
    return this.listMatching({}, [], ['id']);
  }
}
