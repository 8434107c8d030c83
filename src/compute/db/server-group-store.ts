/**
 * compute_server_groups and their members (Nova's InstanceGroup): the os-server-groups API writes
 * them, server create adds members, and the scheduler sees a group as policy, rules, members and
 * the hosts they run on.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { ServerGroupPolicy, ServerGroupSpec } from '../scheduler/request-spec.js';
import type { ComputeTables, ServerGroupsTable } from './tables.js';

export type ServerGroupRow = Selectable<ServerGroupsTable>;

export interface GroupFound {
  readonly id: number;
  readonly spec: ServerGroupSpec;
}

export interface NewServerGroup {
  readonly uuid: string;
  readonly name: string;
  readonly projectId: string;
  readonly userId: string;
  readonly policy: string;
  readonly rules: { readonly max_server_per_host?: number };
  readonly now: string;
}

export class ServerGroupStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async create(group: NewServerGroup): Promise<void> {
    await this.#db
      .insertInto('compute_server_groups')
      .values({
        uuid: group.uuid,
        name: group.name,
        project_id: group.projectId,
        user_id: group.userId,
        policy: group.policy,
        rules: JSON.stringify(group.rules),
        created_at: group.now,
        updated_at: group.now,
      })
      .execute();
  }

  get(uuid: string): Promise<ServerGroupRow | undefined> {
    return this.#db.selectFrom('compute_server_groups').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  }

  /** In id order; one project's with `projectId`. */
  list(projectId: string | undefined): Promise<ServerGroupRow[]> {
    let query = this.#db.selectFrom('compute_server_groups').selectAll().orderBy('id');
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    return query.execute();
  }

  async delete(id: number): Promise<void> {
    await this.#db.deleteFrom('compute_server_group_members').where('group_id', '=', id).execute();
    await this.#db.deleteFrom('compute_server_groups').where('id', '=', id).execute();
  }

  /** Uuids of the group's live servers. */
  async members(groupId: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('compute_server_group_members')
      .innerJoin('compute_instances', 'compute_instances.uuid', 'compute_server_group_members.instance_uuid')
      .select('compute_instances.uuid')
      .where('compute_server_group_members.group_id', '=', groupId)
      .where('compute_instances.deleted', '=', false)
      .orderBy('compute_instances.uuid')
      .execute();
    return rows.map((row) => row.uuid);
  }

  async addMember(groupId: number, instanceUuid: string, trx: Transaction<ComputeTables> | Kysely<ComputeTables> = this.#db): Promise<void> {
    await trx.insertInto('compute_server_group_members').values({ group_id: groupId, instance_uuid: instanceUuid }).execute();
  }

  /** A deleted server leaves its group. */
  async removeMember(instanceUuid: string): Promise<void> {
    await this.#db.deleteFrom('compute_server_group_members').where('instance_uuid', '=', instanceUuid).execute();
  }

  /** The group with this uuid as the scheduler sees it, or undefined. */
  async findSpec(uuid: string): Promise<GroupFound | undefined> {
    const group = await this.get(uuid);
    if (group === undefined) return undefined;
    const members = await this.#db
      .selectFrom('compute_server_group_members')
      .innerJoin('compute_instances', 'compute_instances.uuid', 'compute_server_group_members.instance_uuid')
      .select(['compute_instances.uuid', 'compute_instances.host'])
      .where('compute_server_group_members.group_id', '=', group.id)
      .where('compute_instances.deleted', '=', false)
      .execute();
    const rules = JSON.parse(group.rules) as { max_server_per_host?: number };
    return {
      id: group.id,
      spec: {
        uuid: group.uuid,
        policy: group.policy as ServerGroupPolicy,
        rules: rules.max_server_per_host === undefined ? {} : { maxServerPerHost: rules.max_server_per_host },
        hosts: new Set(members.flatMap((member) => (member.host === null ? [] : [member.host]))),
        members: new Set(members.map((member) => member.uuid)),
      },
    };
  }

  /** The group an instance belongs to (a server is in one group at most), for scheduling it again. */
  async specOfInstance(instanceUuid: string): Promise<ServerGroupSpec | undefined> {
    const membership = await this.#db
      .selectFrom('compute_server_group_members')
      .innerJoin('compute_server_groups', 'compute_server_groups.id', 'compute_server_group_members.group_id')
      .select('compute_server_groups.uuid')
      .where('compute_server_group_members.instance_uuid', '=', instanceUuid)
      .executeTakeFirst();
    return membership === undefined ? undefined : (await this.findSpec(membership.uuid))?.spec;
  }
}
