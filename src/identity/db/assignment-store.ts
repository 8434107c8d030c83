import type { Database } from '../../common/db/database.js';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { ignoringDuplicate } from './entity-table.js';
import type { AssignmentType, AssignmentsTable, IdentityTables } from './tables.js';

export type AssignmentRow = Selectable<AssignmentsTable>;

export interface NamedInDomain {
  readonly id: string;
  readonly name: string;
  readonly domain_id: string;
}

/** identity_assignments: role grants, one row each. */
export class AssignmentStore {
  readonly #db: Kysely<IdentityTables>;

  constructor(private readonly database: Database) {
    this.#db = database.kysely.withTables<IdentityTables>();
  }

  find(row: AssignmentRow): Promise<AssignmentRow | undefined> {
    return this.#db.selectFrom('identity_assignments').selectAll().where(exactly(row)).executeTakeFirst();
  }

  insert(row: AssignmentRow): Promise<void> {
    return ignoringDuplicate(this.database, () => this.#db.insertInto('identity_assignments').values(row).execute());
  }

  async delete(row: AssignmentRow): Promise<void> {
    await this.#db.deleteFrom('identity_assignments').where(exactly(row)).execute();
  }

  /** The roles granted to one actor on one target, with or without inheritance. */
  async roleIds(type: AssignmentType, actorId: string, targetId: string, inherited: boolean): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('identity_assignments')
      .select('role_id')
      .where('type', '=', type)
      .where('actor_id', '=', actorId)
      .where('target_id', '=', targetId)
      .where('inherited', '=', inherited)
      .execute();
    return rows.map((row) => row.role_id);
  }

  /** Every grant to any of the actors (a user and their groups). */
  ofActors(actorIds: readonly string[]): Promise<AssignmentRow[]> {
    return this.#db.selectFrom('identity_assignments').selectAll().where('actor_id', 'in', actorIds).execute();
  }

  ofRole(roleId: string): Promise<AssignmentRow[]> {
    return this.#db.selectFrom('identity_assignments').selectAll().where('role_id', '=', roleId).execute();
  }

  /** The names the include_names listing shows, of every domain, project, user and group. */
  async names(): Promise<{ domains: { id: string; name: string }[]; projects: NamedInDomain[]; users: NamedInDomain[]; groups: NamedInDomain[] }> {
    const [domains, projects, users, groups] = await Promise.all([
      this.#db.selectFrom('identity_domains').select(['id', 'name']).execute(),
      this.#db.selectFrom('identity_projects').select(['id', 'name', 'domain_id']).execute(),
      this.#db.selectFrom('identity_users').select(['id', 'name', 'domain_id']).execute(),
      this.#db.selectFrom('identity_groups').select(['id', 'name', 'domain_id']).execute(),
    ]);
    return { domains, projects, users, groups };
  }

  /** Grants to users or to groups (`actorKind`), of one actor, inherited or not: the direct role-assignment listing. */
  list(filter: { readonly userId?: string; readonly groupId?: string; readonly inherited?: boolean }): Promise<AssignmentRow[]> {
    let query = this.#db.selectFrom('identity_assignments').selectAll();
    if (filter.userId !== undefined) query = query.where('actor_id', '=', filter.userId).where('type', 'in', ['UserProject', 'UserDomain']);
    if (filter.groupId !== undefined) query = query.where('actor_id', '=', filter.groupId).where('type', 'in', ['GroupProject', 'GroupDomain']);
    if (filter.inherited !== undefined) query = query.where('inherited', '=', filter.inherited);
    return query.execute();
  }
}

/** This very grant: every column equal. */
function exactly(row: AssignmentRow) {
  return (eb: ExpressionBuilder<IdentityTables, 'identity_assignments'>) =>
    eb.and({ type: row.type, actor_id: row.actor_id, target_id: row.target_id, role_id: row.role_id, inherited: row.inherited });
}
