import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { ignoringDuplicate } from './entity-table.js';
import type { IdentityTables, SystemAssignmentsTable } from './tables.js';

export type SystemAssignmentRow = Selectable<SystemAssignmentsTable>;

/** identity_system_assignments: role grants on the system, one row each. */
export class SystemAssignmentStore {
  readonly #db: Kysely<IdentityTables>;

  constructor(private readonly database: Database) {
    this.#db = database.kysely.withTables<IdentityTables>();
  }

  find(row: SystemAssignmentRow): Promise<SystemAssignmentRow | undefined> {
    return this.#db
      .selectFrom('identity_system_assignments')
      .selectAll()
      .where('actor_type', '=', row.actor_type)
      .where('actor_id', '=', row.actor_id)
      .where('role_id', '=', row.role_id)
      .executeTakeFirst();
  }

  insert(row: SystemAssignmentRow): Promise<void> {
    return ignoringDuplicate(this.database, () => this.#db.insertInto('identity_system_assignments').values(row).execute());
  }

  async delete(row: SystemAssignmentRow): Promise<void> {
    await this.#db
      .deleteFrom('identity_system_assignments')
      .where('actor_type', '=', row.actor_type)
      .where('actor_id', '=', row.actor_id)
      .where('role_id', '=', row.role_id)
      .execute();
  }

  /** The role ids granted on the system to any of the actors (a user and their groups). */
  async roleIdsOf(actors: readonly Pick<SystemAssignmentRow, 'actor_type' | 'actor_id'>[]): Promise<string[]> {
    if (actors.length === 0) return [];
    const rows = await this.#db
      .selectFrom('identity_system_assignments')
      .select('role_id')
      .where((eb) => eb.or(actors.map((actor) => eb.and({ actor_type: actor.actor_type, actor_id: actor.actor_id }))))
      .execute();
    return rows.map((row) => row.role_id);
  }
}
