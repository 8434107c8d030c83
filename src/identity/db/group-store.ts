import type { Database } from '../../common/db/database.js';
import { EntityTable, ignoringDuplicate, type EntityRow } from './entity-table.js';

export interface GroupRowFilter {
  readonly name?: string;
  readonly domain_id?: string;
}

/** identity_groups and identity_group_members. */
export class GroupStore extends EntityTable<'identity_groups'> {
  constructor(database: Database) {
    super(database, 'identity_groups', 'group');
  }

  list(filter: GroupRowFilter = {}): Promise<EntityRow<'identity_groups'>[]> {
    return this.listMatching(filter, ['name', 'domain_id'], ['name', 'id']);
  }

  /** The groups the user is in, by name. */
  groupsOfUser(userId: string, filter: { readonly name?: string }): Promise<EntityRow<'identity_groups'>[]> {
    let query = this.db
      .selectFrom('identity_groups')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('identity_group_members').select('group_id').where('user_id', '=', userId))
      .orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    return query.execute();
  }

  async groupIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('identity_group_members').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((row) => row.group_id);
  }

  async memberIds(groupId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('identity_group_members').select('user_id').where('group_id', '=', groupId).execute();
    return rows.map((row) => row.user_id);
  }

  /** Every membership (the effective role-assignment listing expands groups in memory). */
  allMembers(): Promise<{ group_id: string; user_id: string }[]> {
    return this.db.selectFrom('identity_group_members').selectAll().execute();
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('identity_group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  addMember(groupId: string, userId: string): Promise<void> {
    return ignoringDuplicate(this.database, () => this.db.insertInto('identity_group_members').values({ group_id: groupId, user_id: userId }).execute());
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('identity_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  }

  /** Deletes the group, its memberships and its role assignments. */
  async deleteWithMemberships(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_assignments').where('actor_id', '=', id).execute();
      await trx.deleteFrom('identity_group_members').where('group_id', '=', id).execute();
      await trx.deleteFrom('identity_groups').where('id', '=', id).execute();
    });
  }
}
