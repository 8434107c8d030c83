import type { Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { DomainConfigsTable, IdentityTables } from './tables.js';

export type DomainConfigRow = Selectable<DomainConfigsTable>;

/** Which options of a domain: all, one group's, or one option. */
export interface DomainConfigScope {
  readonly group?: string;
  readonly option?: string;
}

/** identity_domain_configs: each domain's options, one row each. */
export class DomainConfigStore {
  readonly #db;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<IdentityTables>();
  }

  list(domainId: string, scope: DomainConfigScope = {}): Promise<DomainConfigRow[]> {
    let query = this.#db.selectFrom('identity_domain_configs').selectAll().where('domain_id', '=', domainId);
    if (scope.group !== undefined) query = query.where('group_name', '=', scope.group);
    if (scope.option !== undefined) query = query.where('option_name', '=', scope.option);
    return query.orderBy('group_name').orderBy('option_name').execute();
  }

  /** Writes the rows in one transaction; with `replace`, the domain's other options go first. */
  async write(domainId: string, rows: readonly DomainConfigRow[], { replace }: { readonly replace: boolean }): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      if (replace) await trx.deleteFrom('identity_domain_configs').where('domain_id', '=', domainId).execute();
      for (const row of rows) {
        await trx
          .deleteFrom('identity_domain_configs')
          .where('domain_id', '=', domainId)
          .where('group_name', '=', row.group_name)
          .where('option_name', '=', row.option_name)
          .execute();
        await trx.insertInto('identity_domain_configs').values(row).execute();
      }
    });
  }

  async delete(domainId: string, scope: DomainConfigScope = {}): Promise<void> {
    let query = this.#db.deleteFrom('identity_domain_configs').where('domain_id', '=', domainId);
    if (scope.group !== undefined) query = query.where('group_name', '=', scope.group);
    if (scope.option !== undefined) query = query.where('option_name', '=', scope.option);
    await query.execute();
  }
}
