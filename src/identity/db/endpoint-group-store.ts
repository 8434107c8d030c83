import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

/** identity_endpoint_groups: OS-EP-FILTER's endpoint groups. */
export class EndpointGroupStore extends EntityTable<'identity_endpoint_groups'> {
  constructor(database: Database) {
    super(database, 'identity_endpoint_groups', 'Endpoint Group');
  }

  list(filter: { readonly name?: string } = {}): Promise<EntityRow<'identity_endpoint_groups'>[]> {
    return this.listMatching(filter, ['name'], ['id']);
  }
}
