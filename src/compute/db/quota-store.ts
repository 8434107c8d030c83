/** The quota limits (Nova's quota_classes, quotas and project_user_quotas tables): os-quota-sets and os-quota-class-sets write them. */
import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import type { ComputeTables } from './tables.js';

/** One stored limit. */
export interface LimitRow {
  readonly resource: string;
  readonly hard_limit: number;
}

export class QuotaStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  classLimits(className: string): Promise<LimitRow[]> {
    return this.#db.selectFrom('compute_quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', className).execute();
  }

  /** Replaces the class's limits of the given resources, in one transaction. */
  async setClassLimits(className: string, values: Readonly<Record<string, number>>): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const [resource, limit] of Object.entries(values)) {
        await trx.deleteFrom('compute_quota_classes').where('class_name', '=', className).where('resource', '=', resource).execute();
        await trx.insertInto('compute_quota_classes').values({ class_name: className, resource, hard_limit: limit }).execute();
      }
    });
  }

  projectLimits(projectId: string): Promise<LimitRow[]> {
    return this.#db.selectFrom('compute_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
  }

  userLimits(projectId: string, userId: string): Promise<LimitRow[]> {
    return this.#db.selectFrom('compute_project_user_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  }

  /** Every user limit in the project (what its users were given). */
  usersLimits(projectId: string): Promise<(LimitRow & { readonly user_id: string })[]> {
    return this.#db.selectFrom('compute_project_user_quotas').select(['user_id', 'resource', 'hard_limit']).where('project_id', '=', projectId).execute();
  }

  /** Replaces the project's limits (or, with `userId`, that user's own) of the given resources, in one transaction. */
  async setLimits(projectId: string, values: Readonly<Record<string, number>>, userId?: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const [resource, limit] of Object.entries(values)) {
        if (userId === undefined) {
          await trx.deleteFrom('compute_quotas').where('project_id', '=', projectId).where('resource', '=', resource).execute();
          await trx.insertInto('compute_quotas').values({ project_id: projectId, resource, hard_limit: limit }).execute();
        } else {
          await trx.deleteFrom('compute_project_user_quotas').where('project_id', '=', projectId).where('user_id', '=', userId).where('resource', '=', resource).execute();
          await trx.insertInto('compute_project_user_quotas').values({ project_id: projectId, user_id: userId, resource, hard_limit: limit }).execute();
        }
      }
    });
  }

  /** Drops the project's limits and its users' (or only the user's). */
  async reset(projectId: string, userId?: string): Promise<void> {
    if (userId !== undefined) {
      await this.#db.deleteFrom('compute_project_user_quotas').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      return;
    }
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('compute_quotas').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('compute_project_user_quotas').where('project_id', '=', projectId).execute();
    });
  }
}
