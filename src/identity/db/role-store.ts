import type { Database } from '../../common/db/database.js';
import { EntityTable, ignoringDuplicate, type EntityRow } from './entity-table.js';
import { NULL_DOMAIN_ID } from './tables.js';

/** identity_roles and identity_implied_roles. */
export class RoleStore extends EntityTable<'identity_roles'> {
  constructor(database: Database) {
    super(database, 'identity_roles', 'role');
  }

  /** A domain's own roles, or the global ones (domain_id null), by name. */
  list(filter: { readonly name?: string; readonly domain_id?: string } = {}): Promise<EntityRow<'identity_roles'>[]> {
    return this.listMatching({ name: filter.name, domain_id: filter.domain_id ?? NULL_DOMAIN_ID }, ['domain_id', 'name'], ['name']);
  }

  all(): Promise<EntityRow<'identity_roles'>[]> {
    return this.db.selectFrom('identity_roles').selectAll().execute();
  }

  /** Deletes the role with its assignments and implication rules. */
  async deleteWithAssignments(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_assignments').where('role_id', '=', id).execute();
      await trx
        .deleteFrom('identity_implied_roles')
        .where((eb) => eb.or([eb('prior_role_id', '=', id), eb('implied_role_id', '=', id)]))
        .execute();
      await trx.deleteFrom('identity_roles').where('id', '=', id).execute();
    });
  }

  /** The implication rules, of one prior role or all of them (the table is small), grouped by prior role when asked. */
  impliedRules(options: { readonly priorId?: string; readonly byPrior?: boolean } = {}): Promise<{ prior_role_id: string; implied_role_id: string }[]> {
    let query = this.db.selectFrom('identity_implied_roles').selectAll();
    if (options.priorId !== undefined) query = query.where('prior_role_id', '=', options.priorId);
    if (options.byPrior === true) query = query.orderBy('prior_role_id');
    return query.execute();
  }

  async implies(priorId: string, impliedId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('identity_implied_roles')
      .select('prior_role_id')
      .where('prior_role_id', '=', priorId)
      .where('implied_role_id', '=', impliedId)
      .executeTakeFirst();
    return row !== undefined;
  }

  addImplied(priorId: string, impliedId: string): Promise<void> {
    return ignoringDuplicate(this.database, () =>
      this.db.insertInto('identity_implied_roles').values({ prior_role_id: priorId, implied_role_id: impliedId }).execute(),
    );
  }

  async deleteImplied(priorId: string, impliedId: string): Promise<void> {
    await this.db.deleteFrom('identity_implied_roles').where('prior_role_id', '=', priorId).where('implied_role_id', '=', impliedId).execute();
  }
}
