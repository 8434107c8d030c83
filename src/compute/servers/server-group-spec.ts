/** A server group as the scheduler sees it: its policy, rules, members and the hosts they run on. */
import type { Kysely } from 'kysely';
import type { ComputeTables } from '../db/tables.js';
import type { ServerGroupPolicy, ServerGroupSpec } from '../scheduler/request-spec.js';

export interface GroupFound {
  readonly id: number;
  readonly spec: ServerGroupSpec;
}

/** The group with this uuid, or undefined. */
export async function findServerGroup(db: Kysely<ComputeTables>, uuid: string): Promise<GroupFound | undefined> {
  const group = await db.selectFrom('compute_server_groups').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  if (group === undefined) return undefined;
  const members = await db
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
export async function serverGroupOfInstance(db: Kysely<ComputeTables>, instanceUuid: string): Promise<ServerGroupSpec | undefined> {
  const membership = await db
    .selectFrom('compute_server_group_members')
    .innerJoin('compute_server_groups', 'compute_server_groups.id', 'compute_server_group_members.group_id')
    .select('compute_server_groups.uuid')
    .where('compute_server_group_members.instance_uuid', '=', instanceUuid)
    .executeTakeFirst();
  return membership === undefined ? undefined : (await findServerGroup(db, membership.uuid))?.spec;
}
