import type { Database } from '../../common/db/database.js';
import { type DbTimestamp } from '../../common/db/timestamps.js';
import { EntityTable, type EntityRow } from './entity-table.js';

export interface UserRowFilter {
  readonly name?: string;
  readonly domain_id?: string;
  readonly enabled?: boolean;
  readonly ids?: readonly string[];
}

/** identity_users: accounts, password hashes and failed-authentication counts. */
export class UserStore extends EntityTable<'identity_users'> {
  constructor(database: Database) {
    super(database, 'identity_users', 'user');
  }

  findByName(name: string, domainId: string): Promise<EntityRow<'identity_users'> | undefined> {
    return this.db.selectFrom('identity_users').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
  }

  list(filter: UserRowFilter = {}): Promise<EntityRow<'identity_users'>[]> {
    return this.listMatching(filter, ['name', 'domain_id', 'enabled'], ['name', 'id']);
  }

  /** One more failed authentication, counted in SQL so concurrent failures all count. */
  async countFailedAuth(id: string, at: DbTimestamp): Promise<void> {
    await this.db
      .updateTable('identity_users')
      .set((eb) => ({ failed_auth_count: eb('failed_auth_count', '+', 1), last_failed_auth_at: at }))
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the user with their group memberships and role assignments. */
  async deleteWithMemberships(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_assignments').where('actor_id', '=', id).execute();
      await trx.deleteFrom('identity_group_members').where('user_id', '=', id).execute();
      await trx.deleteFrom('identity_users').where('id', '=', id).execute();
    });
  }
}
