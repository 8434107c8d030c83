import type { Insertable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { EntityTable, uniqueOrConflict, type EntityRow } from './entity-table.js';
import type { TrustsTable } from './tables.js';

export type TrustRow = EntityRow<'identity_trusts'>;

/** Which trusts to list: all of them, or those of one trustor or one trustee. */
export interface TrustRowFilter {
  readonly trustor_user_id?: string;
  readonly trustee_user_id?: string;
}

/** identity_trusts and the roles each delegates (identity_trust_roles). */
export class TrustStore extends EntityTable<'identity_trusts'> {
  constructor(database: Database) {
    super(database, 'identity_trusts', 'trust');
  }

  /** The trust and its roles in one transaction; the same delegation twice is `duplicate`'s 409. */
  async insertWithRoles(row: Insertable<TrustsTable>, roleIds: readonly string[], duplicate: () => string): Promise<void> {
    await uniqueOrConflict(
      this.database,
      () =>
        this.db.transaction().execute(async (trx) => {
          await trx.insertInto('identity_trusts').values(row).execute();
          if (roleIds.length === 0) return;
          await trx.insertInto('identity_trust_roles').values(roleIds.map((roleId) => ({ trust_id: row.id, role_id: roleId }))).execute();
        }),
      duplicate,
    );
  }

  list(filter: TrustRowFilter): Promise<TrustRow[]> {
    return this.listMatching(filter, ['trustor_user_id', 'trustee_user_id'], ['created_at', 'id']);
  }

  /** The trusts the user gave or received. */
  ofUser(userId: string): Promise<TrustRow[]> {
    return this.db
      .selectFrom('identity_trusts')
      .selectAll()
      .where((eb) => eb.or([eb('trustor_user_id', '=', userId), eb('trustee_user_id', '=', userId)]))
      .execute();
  }

  /** The role ids of each trust asked about. */
  async roleIds(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byTrust = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byTrust;
    const rows = await this.db.selectFrom('identity_trust_roles').selectAll().where('trust_id', 'in', ids).orderBy('role_id').execute();
    for (const row of rows) byTrust.get(row.trust_id)?.push(row.role_id);
    return byTrust;
  }

  /**
   * Takes one use of a trust with limited uses (a compare-and-set, so two concurrent token
   * requests cannot both take the last one). True when a use was taken or uses are unlimited.
   */
  async consumeUse(id: string): Promise<boolean> {
    const row = await this.find(id);
    if (row === undefined) return false;
    if (row.remaining_uses === null) return true;
    if (row.remaining_uses <= 0) return false;
    const result = await this.db
      .updateTable('identity_trusts')
      .set({ remaining_uses: row.remaining_uses - 1 })
      .where('id', '=', id)
      .where('remaining_uses', '=', row.remaining_uses)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? true : this.consumeUse(id);
  }

  /** Deletes trusts with their roles. */
  async deleteWithRoles(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_trust_roles').where('trust_id', 'in', ids).execute();
      await trx.deleteFrom('identity_trusts').where('id', 'in', ids).execute();
    });
  }
}
