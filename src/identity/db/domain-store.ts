import type { Database } from '../../common/db/database.js';
import { EntityTable, type EntityRow } from './entity-table.js';

export interface DomainRowFilter {
  readonly name?: string;
  readonly enabled?: boolean;
}

/** identity_domains, and everything a domain holds when it goes. */
export class DomainStore extends EntityTable<'identity_domains'> {
  constructor(database: Database) {
    super(database, 'identity_domains', 'domain');
  }

  findByName(name: string): Promise<EntityRow<'identity_domains'> | undefined> {
    return this.db.selectFrom('identity_domains').selectAll().where('name', '=', name).executeTakeFirst();
  }

  list(filter: DomainRowFilter = {}): Promise<EntityRow<'identity_domains'>[]> {
    return this.listMatching(filter, ['name', 'enabled'], ['name']);
  }

  /**
   * Deletes the domain with everything in it: projects, users, groups, its own roles and every
   * assignment on or of them (Keystone's `_delete_domain_contents`), in one transaction.
   */
  async deleteWithContents(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const inDomain = (table: 'identity_projects' | 'identity_users' | 'identity_groups' | 'identity_roles') =>
        trx.selectFrom(table).select('id').where('domain_id', '=', id);
      await trx
        .deleteFrom('identity_assignments')
        .where((eb) =>
          eb.or([
            eb('target_id', '=', id),
            eb('target_id', 'in', inDomain('identity_projects')),
            eb('actor_id', 'in', inDomain('identity_users')),
            eb('actor_id', 'in', inDomain('identity_groups')),
            eb('role_id', 'in', inDomain('identity_roles')),
          ]),
        )
        .execute();
      await trx
        .deleteFrom('identity_group_members')
        .where((eb) =>
          eb.or([eb('user_id', 'in', inDomain('identity_users')), eb('group_id', 'in', inDomain('identity_groups'))]),
        )
        .execute();
      await trx
        .deleteFrom('identity_implied_roles')
        .where((eb) =>
          eb.or([
            eb('prior_role_id', 'in', inDomain('identity_roles')),
            eb('implied_role_id', 'in', inDomain('identity_roles')),
          ]),
        )
        .execute();
      for (const table of ['identity_projects', 'identity_users', 'identity_groups', 'identity_roles'] as const) {
        await trx.deleteFrom(table).where('domain_id', '=', id).execute();
      }
      await trx.deleteFrom('identity_domains').where('id', '=', id).execute();
    });
  }
}
