import type { Selectable } from 'kysely';
import { NotFound } from '../../common/errors/errors.js';
import type { GroupsTable } from '../db/tables.js';
import { DEFAULT_DOMAIN_ID, type DomainManager } from './domains.js';
import { EntityManager } from './entity-manager.js';
import { duplicateName, newId, parseObject, patchedDescription, toJson, type Extra, type ResourceDeps } from './store.js';
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
export class GroupManager extends EntityManager<'identity_groups', GroupRef, GroupFilter> {
  constructor(
    store: ResourceDeps,
    private readonly domains: DomainManager,
    private readonly users: UserManager,
  ) {
    super(store, store.tables.groups, toRef);
  }

  async create(input: GroupCreate): Promise<GroupRef> {
    const domainId = input.domain_id ?? DEFAULT_DOMAIN_ID;
    await this.domains.get(domainId);
    return this.inserted(
      { id: newId(), name: input.name, domain_id: domainId, description: input.description ?? '', extra: toJson(input.extra) },
      duplicateName('group', input.name, domainId),
    );
  }

  async update(id: string, patch: GroupUpdate): Promise<GroupRef> {
    const current = await this.get(id);
    const name = patch.name ?? current.name;
    return this.updated(id, { name, ...patchedDescription(current, patch) }, duplicateName('group', name, current.domain_id));
  }

  /** Deletes the group, its memberships and role assignments; members lose what it gave them. */
  override async delete(id: string): Promise<void> {
    await this.get(id);
    const members = await this.store.tables.groups.memberIds(id);
    await this.store.tables.groups.deleteWithMemberships(id);
    for (const userId of members) await this.store.events.userRemovedFromGroup(userId, id);
  }

  /** Adds the user to the group; adding a member again changes nothing. */
  async addUser(groupId: string, userId: string): Promise<void> {
    await this.get(groupId);
    await this.users.get(userId);
    if (await this.store.tables.groups.isMember(groupId, userId)) return;
    await this.store.tables.groups.addMember(groupId, userId);
  }

  /** Throws NotFound unless the user is in the group. */
  async checkUser(groupId: string, userId: string): Promise<void> {
    await this.get(groupId);
    await this.users.get(userId);
    if (!(await this.store.tables.groups.isMember(groupId, userId))) throw notMember(groupId, userId);
  }

  async removeUser(groupId: string, userId: string): Promise<void> {
    await this.checkUser(groupId, userId);
    await this.store.tables.groups.removeMember(groupId, userId);
    await this.store.events.userRemovedFromGroup(userId, groupId);
  }

  async listUsers(groupId: string, filter: { name?: string; enabled?: boolean } = {}): Promise<UserRef[]> {
    await this.get(groupId);
    return this.users.list({ ...filter, ids: await this.store.tables.groups.memberIds(groupId) });
  }

  async listGroupsForUser(userId: string, filter: { name?: string } = {}): Promise<GroupRef[]> {
    await this.users.get(userId);
    return (await this.store.tables.groups.groupsOfUser(userId, filter)).map(toRef);
  }

  /** The ids of the groups the user is in (no existence check: the token path calls it often). */
  async groupIdsOf(userId: string): Promise<string[]> {
    return this.store.tables.groups.groupIdsOf(userId);
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
