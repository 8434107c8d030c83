import { BadRequest, Forbidden } from '../../common/errors/errors.js';
import type { LimitRow, QuotaStore } from '../db/quota-store.js';
import type { UsageStore } from '../db/usage-store.js';
import { DEFAULT_QUOTA_CLASS, QUOTA_DEFAULTS, QUOTA_RESOURCES, type QuotaResource, type QuotaSet } from './quota-resources.js';
import { settableRange, type SettableRange } from './settable-range.js';

/** Limit and usage of one resource, as os-quota-sets/detail prints them. */
export interface QuotaDetail {
  readonly limit: number;
  readonly in_use: number;
}

function zeros(): QuotaSet {
  return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, 0])) as QuotaSet;
}

/**
 * Nova's DbQuotaDriver with counted usage (no reservations): limits are a user's own limits (if
 * any) over the project's over the `default` quota class over the `[quota]` defaults; usage is
 * counted from the rows that consume it (live instances, server groups) when asked.
 */
export class QuotaManager {
  constructor(
    private readonly store: QuotaStore,
    private readonly counted: UsageStore,
  ) {}

  /** The defaults every project starts from: the `default` class over the built-in values. */
  async defaults(): Promise<QuotaSet> {
    return this.classLimits(DEFAULT_QUOTA_CLASS);
  }

  /** A quota class's limits: its own over the `[quota]` defaults (Nova's get_class_quotas). */
  async classLimits(className: string): Promise<QuotaSet> {
    return overlay({ ...QUOTA_DEFAULTS }, await this.store.classLimits(className));
  }

  /** Sets a quota class's limits; those of the `default` class are every project's defaults. */
  async updateClass(className: string, values: Partial<QuotaSet>): Promise<QuotaSet> {
    await this.store.setClassLimits(className, values);
    return this.classLimits(className);
  }

  /** The project's limits, or with `userId` that user's (their own where set, the project's elsewhere). */
  async limits(projectId: string, userId?: string): Promise<QuotaSet> {
    const project = overlay(await this.defaults(), await this.store.projectLimits(projectId));
    return userId === undefined ? project : overlay(project, await this.store.userLimits(projectId, userId));
  }

  /**
   * What the project (or one of its users) uses now. Key pairs and server group members read 0,
   * as in Nova: they are per-user and per-group counts, checked where they are created.
   */
  async usage(projectId: string, userId?: string): Promise<QuotaSet> {
    const counted = await this.counted.projectUsage(projectId, userId);
    return { ...zeros(), instances: counted.instances, cores: counted.cores, ram: counted.ram, server_groups: counted.serverGroups };
  }

  async detail(projectId: string, userId?: string): Promise<Record<QuotaResource, QuotaDetail>> {
    const [limits, used] = await Promise.all([this.limits(projectId, userId), this.usage(projectId, userId)]);
    return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, { limit: limits[resource], in_use: used[resource] }])) as Record<
      QuotaResource,
      QuotaDetail
    >;
  }

  /**
   * Sets project limits, or with `userId` that user's own. Unless `force`, each must lie in
   * Nova's settable range: at least what is in use (and, for a project, what its users were
   * given), and for a user at most what the project has left to give; -1 means unlimited.
   */
  async update(projectId: string, values: Partial<QuotaSet>, force = false, userId?: string): Promise<QuotaSet> {
    if (!force) {
      const ranges = await this.#settableRanges(projectId, userId);
      for (const [resource, limit] of Object.entries(values) as [QuotaResource, number][]) checkLimit(resource, limit, ranges[resource]);
    }
    await this.store.setLimits(projectId, values, userId);
    return this.limits(projectId, userId);
  }

  /** Drops the project's overrides and its users' (or only the user's): back on the defaults. */
  reset(projectId: string, userId?: string): Promise<void> {
    return this.store.reset(projectId, userId);
  }

  /** The project's key_pairs limit (the key pair manager checks it per user). */
  async keyPairLimit(projectId: string): Promise<number> {
    return (await this.limits(projectId)).key_pairs;
  }

  /**
   * The limits and usage a user's request counts against: the project's, then the user's own
   * where they have any (Nova's check_deltas checks both).
   */
  async levels(projectId: string, userId: string): Promise<{ readonly limits: QuotaSet; readonly used: QuotaSet }[]> {
    const project = { limits: await this.limits(projectId), used: await this.usage(projectId) };
    if ((await this.store.userLimits(projectId, userId)).length === 0) return [project];
    return [project, { limits: await this.limits(projectId, userId), used: await this.usage(projectId, userId) }];
  }

  /**
   * Refuses (403) a request that would take the project over a limit, or with `userId` the
   * user over their own, with Nova's TooManyInstances message naming every resource over, e.g.
   * "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances". Callers
   * check again after writing when they must rule out a concurrent request slipping in (Nova's
   * quota recheck).
   */
  async checkQuota(projectId: string, deltas: Partial<QuotaSet>, userId?: string): Promise<void> {
    const levels = userId === undefined ? [{ limits: await this.limits(projectId), used: await this.usage(projectId) }] : await this.levels(projectId, userId);
    for (const { limits, used } of levels) this.#checkLevel(deltas, limits, used);
  }

  #checkLevel(deltas: Partial<QuotaSet>, limits: QuotaSet, used: QuotaSet): void {
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

  async #settableRanges(projectId: string, userId: string | undefined): Promise<Record<QuotaResource, SettableRange>> {
    const [project, used, given] = await Promise.all([
      this.limits(projectId),
      this.usage(projectId, userId),
      this.store.usersLimits(projectId),
    ]);
    return Object.fromEntries(
      QUOTA_RESOURCES.map((resource) => {
        const ofResource = given.filter((row) => row.resource === resource);
        const own = userId === undefined ? undefined : ofResource.find((row) => row.user_id === userId)?.hard_limit;
        return [resource, settableRange({ projectLimit: project[resource], inUse: used[resource], givenToUsers: ofResource.map((row) => row.hard_limit), ...(userId === undefined ? {} : { user: { own } }) })];
      }),
    ) as Record<QuotaResource, SettableRange>;
  }
}

/** Nova's _validate_quota_limit, -1 counting as infinity. */
function checkLimit(resource: QuotaResource, limit: number, range: SettableRange): void {
  const inf = (value: number) => (value === -1 ? Number.POSITIVE_INFINITY : value);
  if (inf(limit) < inf(range.minimum)) {
    throw new BadRequest(`Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${range.minimum}.`);
  }
  if (inf(limit) > inf(range.maximum)) throw new BadRequest(`Quota limit ${limit} for ${resource} must be less than or equal to ${range.maximum}.`);
}

function overlay(base: QuotaSet, rows: readonly LimitRow[]): QuotaSet {
  const result = { ...base };
  for (const row of rows) {
    if (Object.hasOwn(result, row.resource)) result[row.resource as QuotaResource] = row.hard_limit;
  }
  return result;
}
