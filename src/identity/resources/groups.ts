import type { Selectable } from 'kysely';
import { Conflict, NotFound } from '../../common/errors/errors.js';
import type { GroupsTable } from '../db/tables.js';
import { DEFAULT_DOMAIN_ID, type DomainManager } from './domains.js';
import { mergeExtra, newId, parseObject, toJson, type Extra, type IdentityStore } from './store.js';
import type { UserManager, UserRef } from './users.js';

export interface GroupRef {
  readonly id: string;
  readonly name: string;
  readonly domain_id: string;
  readonly description: string | null;
  readonly extra: Extra;
}

export interface GroupCreate {
  readonly name: string;
  readonly domain_id?: string;
  readonly description?: string | null;
  readonly extra?: Extra;
}

export type GroupUpdate = Partial<GroupCreate>;

export interface GroupFilter {
  readonly name?: string;
  readonly domain_id?: string;
}

/** Groups of users; roles granted to a group reach each member. */
export class GroupManager {
  constructor(
    private readonly store: IdentityStore,
    private readonly domains: DomainManager,
    private readonly users: UserManager,
  ) {}

  async create(input: GroupCreate): Promise<GroupRef> {
    const domainId = input.domain_id ?? DEFAULT_DOMAIN_ID;
    await this.domains.get(domainId);
    const id = newId();
    await this.#storing(input.name, domainId, () =>
      this.store.db
        .insertInto('identity_groups')
        .values({ id, name: input.name, domain_id: domainId, description: input.description ?? '', extra: toJson(input.extra) })
        .execute(),
    );
    return this.get(id);
  }

  async get(id: string): Promise<GroupRef> {
    const row = await this.store.db.selectFrom('identity_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new NotFound(`Could not find group: ${id}.`);
    return toRef(row);
  }

  async list(filter: GroupFilter = {}): Promise<GroupRef[]> {
    let query = this.store.db.selectFrom('identity_groups').selectAll().orderBy('name').orderBy('id');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.domain_id !== undefined) query = query.where('domain_id', '=', filter.domain_id);
    return (await query.execute()).map(toRef);
  }

  async update(id: string, patch: GroupUpdate): Promise<GroupRef> {
    const current = await this.get(id);
    const name = patch.name ?? current.name;
    await this.#storing(name, current.domain_id, () =>
      this.store.db
        .updateTable('identity_groups')
        .set({
          name,
          description: patch.description === undefined ? current.description : patch.description,
          extra: toJson(mergeExtra(current.extra, patch.extra)),
        })
        .where('id', '=', id)
        .execute(),
    );
    return this.get(id);
  }

  /** Deletes the group, its memberships and role assignments; members lose what it gave them. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const members = await this.#memberIds(id);
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_assignments').where('actor_id', '=', id).execute();
      await trx.deleteFrom('identity_group_members').where('group_id', '=', id).execute();
      await trx.deleteFrom('identity_groups').where('id', '=', id).execute();
    });
    for (const userId of members) await this.store.events.userRemovedFromGroup(userId, id);
  }

  /** Adds the user to the group; adding a member again changes nothing. */
  async addUser(groupId: string, userId: string): Promise<void> {
    await this.get(groupId);
    await this.users.get(userId);
    if (await this.#isMember(groupId, userId)) return;
    try {
      await this.store.db.insertInto('identity_group_members').values({ group_id: groupId, user_id: userId }).execute();
    } catch (error) {
      if (!this.store.database.isUniqueViolation(error)) throw error;
    }
  }

  /** Throws NotFound unless the user is in the group. */
  async checkUser(groupId: string, userId: string): Promise<void> {
    await this.get(groupId);
    await this.users.get(userId);
    if (!(await this.#isMember(groupId, userId))) throw notMember(groupId, userId);
  }

  async removeUser(groupId: string, userId: string): Promise<void> {
    await this.checkUser(groupId, userId);
    await this.store.db
      .deleteFrom('identity_group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .execute();
    await this.store.events.userRemovedFromGroup(userId, groupId);
  }

  async listUsers(groupId: string, filter: { name?: string; enabled?: boolean } = {}): Promise<UserRef[]> {
    await this.get(groupId);
    return this.users.list({ ...filter, ids: await this.#memberIds(groupId) });
  }

  async listGroupsForUser(userId: string, filter: { name?: string } = {}): Promise<GroupRef[]> {
    await this.users.get(userId);
    let query = this.store.db
      .selectFrom('identity_groups')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('identity_group_members').select('group_id').where('user_id', '=', userId))
      .orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    return (await query.execute()).map(toRef);
  }

  /** The ids of the groups the user is in (no existence check: the token path calls it often). */
  async groupIdsOf(userId: string): Promise<string[]> {
    const rows = await this.store.db.selectFrom('identity_group_members').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((row) => row.group_id);
  }

  async #memberIds(groupId: string): Promise<string[]> {
    const rows = await this.store.db.selectFrom('identity_group_members').select('user_id').where('group_id', '=', groupId).execute();
    return rows.map((row) => row.user_id);
  }

  async #isMember(groupId: string, userId: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('identity_group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #storing(name: string, domainId: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!this.store.database.isUniqueViolation(error)) throw error;
      throw new Conflict(
        `Conflict occurred attempting to store group - Duplicate entry found with name ${name} at domain ID ${domainId}.`,
      );
    }
  }
}

function notMember(groupId: string, userId: string): NotFound {
  return new NotFound(`User '${userId}' not found in group '${groupId}'`);
}

function toRef(row: Selectable<GroupsTable>): GroupRef {
  return {
    id: row.id,
    name: row.name,
    domain_id: row.domain_id,
    description: row.description,
    extra: parseObject(row.extra),
  };
}
