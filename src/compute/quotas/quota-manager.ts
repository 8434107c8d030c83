import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { BadRequest, Forbidden } from '../../common/errors/errors.js';
import type { ComputeTables } from '../db/tables.js';
import { DEFAULT_QUOTA_CLASS, QUOTA_DEFAULTS, QUOTA_RESOURCES, type QuotaResource, type QuotaSet } from './quota-resources.js';

type Db = Kysely<ComputeTables>;

/** Limit and usage of one resource, as os-quota-sets/detail prints them. */
export interface QuotaDetail {
  readonly limit: number;
  readonly in_use: number;
}

function zeros(): QuotaSet {
  return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, 0])) as QuotaSet;
}

/**
 * Nova's DbQuotaDriver with counted usage (no reservations): limits are the project's
 * overrides over the `default` quota class over the `[quota]` defaults; usage is counted from the
 * rows that consume it (live instances, key pairs, server groups) when asked.
 */
export class QuotaManager {
  readonly #db: Db;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** The defaults every project starts from: the `default` class over the built-in values. */
  async defaults(): Promise<QuotaSet> {
    const rows = await this.#db.selectFrom('compute_quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', DEFAULT_QUOTA_CLASS).execute();
    return overlay({ ...QUOTA_DEFAULTS }, rows);
  }

  async limits(projectId: string): Promise<QuotaSet> {
    const rows = await this.#db.selectFrom('compute_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    return overlay(await this.defaults(), rows);
  }

  /**
   * What the project uses now. Key pairs belong to users, so they count for `userId` only (0
   * without one), as Nova counts them.
   */
  async usage(projectId: string, userId?: string): Promise<QuotaSet> {
    const used = zeros();
    const instances = await this.#db
      .selectFrom('compute_instances')
      .select((eb) => [
        eb.fn.countAll<number | string | bigint>().as('instances'),
        eb.fn.sum<number | string | null>('vcpus').as('cores'),
        eb.fn.sum<number | string | null>('memory_mb').as('ram'),
      ])
      .where('project_id', '=', projectId)
      .where('deleted', '=', false)
      .executeTakeFirstOrThrow();
    used.instances = Number(instances.instances);
    used.cores = Number(instances.cores ?? 0);
    used.ram = Number(instances.ram ?? 0);
    const groups = await this.#db
      .selectFrom('compute_server_groups')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    used.server_groups = Number(groups.count);
    if (userId !== undefined) {
      const keyPairs = await this.#db
        .selectFrom('compute_key_pairs')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      used.key_pairs = Number(keyPairs.count);
    }
    return used;
  }

  async detail(projectId: string, userId?: string): Promise<Record<QuotaResource, QuotaDetail>> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.usage(projectId, userId)]);
    return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, { limit: limits[resource], in_use: used[resource] }])) as Record<
      QuotaResource,
      QuotaDetail
    >;
  }

  /**
   * Sets project limits. Unless `force`, a limit below what is in use is refused in Nova's words;
   * -1 means unlimited.
   */
  async update(projectId: string, values: Partial<QuotaSet>, force = false): Promise<QuotaSet> {
    if (!force) {
      const used = await this.usage(projectId);
      for (const [resource, limit] of Object.entries(values) as [QuotaResource, number][]) {
        if (limit !== -1 && limit < used[resource]) {
          throw new BadRequest(
            `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${used[resource]}.`,
          );
        }
      }
    }
    await this.#db.transaction().execute(async (trx) => {
      for (const [resource, limit] of Object.entries(values) as [QuotaResource, number][]) {
        await trx.deleteFrom('compute_quotas').where('project_id', '=', projectId).where('resource', '=', resource).execute();
        await trx.insertInto('compute_quotas').values({ project_id: projectId, resource, hard_limit: limit }).execute();
      }
    });
    return this.limits(projectId);
  }

  /** Drops the project's overrides: it is back on the defaults. */
  async reset(projectId: string): Promise<void> {
    await this.#db.deleteFrom('compute_quotas').where('project_id', '=', projectId).execute();
  }

  /** The project's key_pairs limit (the key pair manager checks it per user). */
  async keyPairLimit(projectId: string): Promise<number> {
    return (await this.limits(projectId)).key_pairs;
  }

  /**
   * Refuses (403) a request that would take the project over a limit, with Nova's
   * TooManyInstances message naming every resource over, e.g. "Quota exceeded for instances:
   * Requested 1, but already used 10 of 10 instances". Callers check again after writing when
   * they must rule out a concurrent request slipping in (Nova's quota recheck).
   */
  async checkQuota(projectId: string, deltas: Partial<QuotaSet>, userId?: string): Promise<void> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.usage(projectId, userId)]);
    const overs = (Object.entries(deltas) as [QuotaResource, number][])
      .filter(([resource, delta]) => delta > 0 && limits[resource] >= 0 && used[resource] + delta > limits[resource])
      .map(([resource]) => resource)
      .sort();
    if (overs.length === 0) return;
    const list = (values: readonly (number | string)[]) => values.join(', ');
    const names = list(overs);
    throw new Forbidden(
      `Quota exceeded for ${names}: Requested ${list(overs.map((resource) => deltas[resource] ?? 0))}, ` +
        `but already used ${list(overs.map((resource) => used[resource]))} of ${list(overs.map((resource) => limits[resource]))} ${names}`,
    );
  }
}

function overlay(base: QuotaSet, rows: readonly { resource: string; hard_limit: number }[]): QuotaSet {
  const result = { ...base };
  for (const row of rows) {
    if (Object.hasOwn(result, row.resource)) result[row.resource as QuotaResource] = row.hard_limit;
  }
  return result;
}
