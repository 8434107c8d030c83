import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Forbidden, NotFound } from '../../common/errors/errors.js';
import type { ServerGroupRow, ServerGroupStore } from '../db/server-group-store.js';
import type { QuotaManager } from '../quotas/quota-manager.js';

export interface ServerGroup {
  readonly row: ServerGroupRow;
  /** Uuids of the group's live servers. */
  readonly members: readonly string[];
}

/** Server groups (Nova's InstanceGroup): one policy each, members added by server create. */
export class ServerGroups {
  constructor(
    private readonly store: ServerGroupStore,
    private readonly quotas: QuotaManager,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `rules` only for anti-affinity (the API checks), e.g. `{ max_server_per_host: 2 }`. */
  async create(context: RequestContext, name: string, policy: string, rules: { readonly max_server_per_host?: number }): Promise<ServerGroup> {
    const projectId = context.projectId ?? '';
    const limit = (await this.quotas.limits(projectId)).server_groups;
    const used = (await this.quotas.usage(projectId)).server_groups;
    if (limit >= 0 && used + 1 > limit) throw new Forbidden('Quota exceeded, too many server groups.');
    const uuid = randomUUID();
    await this.store.create({ uuid, name, projectId, userId: context.userId ?? '', policy, rules, now: toDbTimestamp(this.now()) });
    return this.get(context, uuid);
  }

  /** Another project's group is 404 to a non-admin. */
  async get(context: RequestContext, uuid: string): Promise<ServerGroup> {
    const row = await this.store.get(uuid);
    if (row === undefined || (!(context.isAdmin ?? false) && row.project_id !== context.projectId)) throw new NotFound(`Instance group ${uuid} could not be found.`);
    return { row, members: await this.store.members(row.id) };
  }

  async list(projectId: string | undefined): Promise<ServerGroup[]> {
    const rows = await this.store.list(projectId);
    return Promise.all(rows.map(async (row) => ({ row, members: await this.store.members(row.id) })));
  }

  async delete(context: RequestContext, uuid: string): Promise<void> {
    const group = await this.get(context, uuid);
    await this.store.delete(group.row.id);
  }
}
