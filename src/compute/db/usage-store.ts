/**
 * Reads that count or bill instances rather than show one: quota usage, os-hypervisors' counts
 * and hosted servers, os-simple-tenant-usage's period, the scheduler's instances per host.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest } from '../../common/errors/errors.js';
import type { ComputeTables, InstancesTable } from './tables.js';

/** Live instances on a node, and how many of them have a task in progress (Nova's current_workload). */
export interface NodeCounts {
  readonly vms: number;
  readonly busy: number;
}

/** What a project (or one of its users) consumes now. */
export interface CountedUsage {
  readonly instances: number;
  readonly cores: number;
  readonly ram: number;
  readonly serverGroups: number;
}

/** A page of instances that ran in a period, in (project_id, uuid) order. */
export interface UsagePeriod {
  readonly start: Date;
  readonly stop: Date;
  readonly projectId?: string;
  readonly limit: number;
  /** Uuid of the last server of the previous page. */
  readonly marker?: string;
}

export class UsageStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async projectUsage(projectId: string, userId?: string): Promise<CountedUsage> {
    let instances = this.#db
      .selectFrom('compute_instances')
      .select((eb) => [
        eb.fn.countAll<number | string | bigint>().as('instances'),
        eb.fn.sum<number | string | null>('vcpus').as('cores'),
        eb.fn.sum<number | string | null>('memory_mb').as('ram'),
      ])
      .where('project_id', '=', projectId)
      .where('deleted', '=', false);
    if (userId !== undefined) instances = instances.where('user_id', '=', userId);
    const counted = await instances.executeTakeFirstOrThrow();
    let groups = this.#db
      .selectFrom('compute_server_groups')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('project_id', '=', projectId);
    if (userId !== undefined) groups = groups.where('user_id', '=', userId);
    const { count } = await groups.executeTakeFirstOrThrow();
    return { instances: Number(counted.instances), cores: Number(counted.cores ?? 0), ram: Number(counted.ram ?? 0), serverGroups: Number(count) };
  }

  /** node → counts of its live instances. */
  async countsByNode(): Promise<Map<string, NodeCounts>> {
    const rows = await this.#db
      .selectFrom('compute_instances')
      .select((eb) => ['node', eb.fn.countAll<number | string | bigint>().as('vms'), eb.fn.count<number | string | bigint>('task_state').as('busy')])
      .where('deleted', '=', false)
      .where('node', 'is not', null)
      .groupBy('node')
      .execute();
    return new Map(rows.flatMap((row) => (row.node === null ? [] : [[row.node, { vms: Number(row.vms), busy: Number(row.busy) }]])));
  }

  /** The live servers on a host, oldest first (Nova's instance_get_all_by_host). */
  async serversOn(host: string): Promise<{ name: string; uuid: string }[]> {
    const rows = await this.#db
      .selectFrom('compute_instances')
      .select(['display_name', 'uuid'])
      .where('host', '=', host)
      .where('deleted', '=', false)
      .orderBy('created_at')
      .orderBy('uuid')
      .execute();
    return rows.map((row) => ({ name: row.display_name, uuid: row.uuid }));
  }

  /** What each live instance on a host takes, with its project (os-hosts show). */
  resourcesOn(host: string): Promise<{ project_id: string; vcpus: number; memory_mb: number; root_gb: number; ephemeral_gb: number }[]> {
    return this.#db
      .selectFrom('compute_instances')
      .select(['project_id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'])
      .where('host', '=', host)
      .where('deleted', '=', false)
      .orderBy('created_at')
      .orderBy('uuid')
      .execute();
  }

  async anyOnHost(host: string): Promise<boolean> {
    const hosted = await this.#db.selectFrom('compute_instances').select('uuid').where('host', '=', host).where('deleted', '=', false).executeTakeFirst();
    return hosted !== undefined;
  }

  /** host → uuids of its live instances. */
  async instancesByHost(): Promise<Map<string, string[]>> {
    const instances = await this.#db.selectFrom('compute_instances').select(['uuid', 'host']).where('deleted', '=', false).where('host', 'is not', null).execute();
    const byHost = new Map<string, string[]>();
    for (const row of instances) {
      if (row.host === null) continue;
      const list = byHost.get(row.host) ?? [];
      list.push(row.uuid);
      byHost.set(row.host, list);
    }
    return byHost;
  }

  /** Nova's instance_get_active_by_window_joined: launched before the end, not terminated before the start. */
  async activeIn(period: UsagePeriod): Promise<Selectable<InstancesTable>[]> {
    const start = toDbTimestamp(period.start);
    let query = this.#db
      .selectFrom('compute_instances')
      .selectAll()
      .where((eb) => eb.or([eb('terminated_at', 'is', null), eb('terminated_at', '>', start)]))
      .where('launched_at', '<', toDbTimestamp(period.stop))
      .orderBy('project_id')
      .orderBy('uuid')
      .limit(period.limit);
    if (period.projectId !== undefined) query = query.where('project_id', '=', period.projectId);
    if (period.marker !== undefined) {
      const marker = await this.#db.selectFrom('compute_instances').select(['project_id', 'uuid']).where('uuid', '=', period.marker).executeTakeFirst();
      if (marker === undefined) throw new BadRequest(`Marker ${period.marker} could not be found.`);
      query = query.where((eb) => eb.or([eb('project_id', '>', marker.project_id), eb.and([eb('project_id', '=', marker.project_id), eb('uuid', '>', marker.uuid)])]));
    }
    return query.execute();
  }
}
