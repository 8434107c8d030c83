import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Forbidden, NotFound } from '../../common/errors/errors.js';
import type { ComputeTables, ServerGroupsTable } from '../db/tables.js';
import type { QuotaManager } from '../quotas/quota-manager.js';

export interface ServerGroup {
  readonly row: Selectable<ServerGroupsTable>;
  /** Uuids of the group's live servers. */
  readonly members: readonly string[];
}

/** Server groups (Nova's InstanceGroup): one policy each, members added by server create. */
export class ServerGroups {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly quotas: QuotaManager,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** `rules` only for anti-affinity (the API checks), e.g. `{ max_server_per_host: 2 }`. */
  async create(context: RequestContext, name: string, policy: string, rules: { readonly max_server_per_host?: number }): Promise<ServerGroup> {
    const projectId = context.projectId ?? '';
    const limit = (await this.quotas.limits(projectId)).server_groups;
    const used = (await this.quotas.usage(projectId)).server_groups;
    if (limit >= 0 && used + 1 > limit) throw new Forbidden('Quota exceeded, too many server groups.');
    const uuid = randomUUID();
    const now = toDbTimestamp(this.now());
    await this.#db
      .insertInto('compute_server_groups')
      .values({ uuid, name, project_id: projectId, user_id: context.userId ?? '', policy, rules: JSON.stringify(rules), created_at: now, updated_at: now })
      .execute();
    return this.get(context, uuid);
  }

  /** Another project's group is 404 to a non-admin. */
  async get(context: RequestContext, uuid: string): Promise<ServerGroup> {
    const row = await this.#db.selectFrom('compute_server_groups').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    if (row === undefined || (!(context.isAdmin ?? false) && row.project_id !== context.projectId)) throw new NotFound(`Instance group ${uuid} could not be found.`);
    return { row, members: await this.#members(row.id) };
  }

  async list(projectId: string | undefined): Promise<ServerGroup[]> {
    let query = this.#db.selectFrom('compute_server_groups').selectAll().orderBy('id');
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    const rows = await query.execute();
    return Promise.all(rows.map(async (row) => ({ row, members: await this.#members(row.id) })));
  }

  async delete(context: RequestContext, uuid: string): Promise<void> {
    const group = await this.get(context, uuid);
    await this.#db.deleteFrom('compute_server_group_members').where('group_id', '=', group.row.id).execute();
    await this.#db.deleteFrom('compute_server_groups').where('id', '=', group.row.id).execute();
  }

  async #members(groupId: number): Promise<string[]> {
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
}
