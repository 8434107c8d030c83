import { NotFound } from '../../common/errors/errors.js';
import type { SystemAssignmentRow, SystemAssignmentStore } from '../db/system-assignment-store.js';
import type { GrantActor, NamedRole } from './assignments.js';
import type { GroupManager } from './groups.js';
import { impliedClosure, type RoleManager, type RoleRef } from './roles.js';
import type { ResourceDeps } from './store.js';
import type { UserManager } from './users.js';

/**
 * Role grants on the system (Keystone's /v3/system/{users|groups}/{id}/roles): what a
 * system-scoped token carries. Unknown role or actor is a 404, as for project grants.
 */
export class SystemAssignmentManager {
  readonly #rows: SystemAssignmentStore;

  constructor(
    private readonly store: ResourceDeps,
    private readonly users: UserManager,
    private readonly groups: GroupManager,
    private readonly roles: RoleManager,
  ) {
    this.#rows = store.tables.systemAssignments;
  }

  /** Grants the role on the system; granting it again changes nothing. */
  async grant(actor: GrantActor, roleId: string): Promise<void> {
    await this.roles.get(roleId);
    await this.#checkActor(actor);
    await this.#rows.insert(toRow(actor, roleId));
  }

  /** Throws Keystone's NotFound unless the actor holds the role on the system directly. */
  async check(actor: GrantActor, roleId: string): Promise<void> {
    await this.roles.get(roleId);
    await this.#checkActor(actor);
    const row = toRow(actor, roleId);
    if ((await this.#rows.find(row)) === undefined) {
      throw new NotFound(`Could not find role assignment with role: ${roleId}, user or group: ${row.actor_id}, project, domain, or system: system.`);
    }
  }

  /** Revokes the grant; the tokens it gave stop working. */
  async revoke(actor: GrantActor, roleId: string): Promise<void> {
    await this.check(actor, roleId);
    await this.#rows.delete(toRow(actor, roleId));
    await this.store.events.systemAssignmentRemoved(actor);
  }

  /** The roles granted to the actor on the system directly. */
  async list(actor: GrantActor): Promise<RoleRef[]> {
    await this.#checkActor(actor);
    const row = toRow(actor, '');
    const ids = await this.#rows.roleIdsOf([row]);
    const roles = await this.roles.byId();
    return ids.flatMap((id) => roles.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The global roles a system-scoped token of the user carries: theirs and their groups', with those implied. */
  async effectiveRoles(userId: string): Promise<NamedRole[]> {
    const actors = [{ actor_type: 'user' as const, actor_id: userId }, ...(await this.groups.groupIdsOf(userId)).map((id) => ({ actor_type: 'group' as const, actor_id: id }))];
    const direct = new Set(await this.#rows.roleIdsOf(actors));
    const roles = await this.roles.byId();
    return [...direct, ...impliedClosure(await this.roles.rules(), direct).keys()]
      .flatMap((id) => roles.get(id) ?? [])
      .filter((role) => role.domain_id === null)
      .map((role) => ({ id: role.id, name: role.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async #checkActor(actor: GrantActor): Promise<void> {
    if ('userId' in actor) await this.users.get(actor.userId);
    else await this.groups.get(actor.groupId);
  }
}

function toRow(actor: GrantActor, roleId: string): SystemAssignmentRow {
  return 'userId' in actor ? { actor_type: 'user', actor_id: actor.userId, role_id: roleId } : { actor_type: 'group', actor_id: actor.groupId, role_id: roleId };
}
