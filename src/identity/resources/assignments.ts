import { NotFound } from '../../common/errors/errors.js';
import type { AssignmentRow } from '../db/assignment-store.js';
import type { AssignmentType } from '../db/tables.js';
import type { DomainManager, DomainRef } from './domains.js';
import { removedAssignment } from './events.js';
import type { GroupManager } from './groups.js';
import type { ProjectManager, ProjectRef } from './projects.js';
import { impliedClosure, type RoleManager, type RoleRef } from './roles.js';
import type { ResourceDeps } from './store.js';
import type { UserManager } from './users.js';

/** Who holds a grant. */
export type GrantActor = { readonly userId: string } | { readonly groupId: string };
/** Where a grant applies. */
export type GrantTarget = { readonly projectId: string } | { readonly domainId: string };

export interface Grant {
  readonly actor: GrantActor;
  readonly target: GrantTarget;
  readonly roleId: string;
  /** OS-INHERIT: the role applies to the projects below the target, not the target itself. */
  readonly inherited?: boolean;
}

/** A token's scope: one project or one domain. */
export type RoleScope = { readonly projectId: string } | { readonly domainId: string };

/** A role as a token lists it. */
export interface NamedRole {
  readonly id: string;
  readonly name: string;
}

export type { AssignmentRow };

/** Role grants to users and groups on projects and domains, and what they add up to. */
export class AssignmentManager {
  constructor(
    private readonly store: ResourceDeps,
    private readonly domains: DomainManager,
    private readonly projects: ProjectManager,
    private readonly users: UserManager,
    private readonly groups: GroupManager,
    private readonly roles: RoleManager,
  ) {}

  /** Grants the role; granting it again changes nothing. Unknown role, actor or target is 404. */
  async grant(grant: Grant): Promise<void> {
    await this.#checkExists(grant);
    const row = toRow(grant);
    if ((await this.store.tables.assignments.find(row)) !== undefined) return;
    await this.store.tables.assignments.insert(row);
  }

  /** Throws NotFound unless exactly this grant exists. */
  async check(grant: Grant): Promise<void> {
    await this.#checkExists(grant);
    if ((await this.store.tables.assignments.find(toRow(grant))) === undefined) throw notFound(toRow(grant));
  }

  async revoke(grant: Grant): Promise<void> {
    await this.check(grant);
    const row = toRow(grant);
    await this.store.tables.assignments.delete(row);
    await this.store.events.roleAssignmentRemoved(removedAssignment(row));
  }

  /** The roles granted directly to the actor on the target (`GET …/users/{u}/roles`). */
  async listGrants(actor: GrantActor, target: GrantTarget, inherited = false): Promise<RoleRef[]> {
    await this.#checkActorAndTarget(actor, target);
    const type = assignmentType(actor, target);
    const roleIds = await this.store.tables.assignments.roleIds(
      type,
      'userId' in actor ? actor.userId : actor.groupId,
      'projectId' in target ? target.projectId : target.domainId,
      inherited,
    );
    const roles = await this.roles.byId();
    return roleIds.flatMap((id) => roles.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The roles the user holds on the scope, as a token lists them: granted to the user or to a
   * group of theirs, on the scope itself or inherited from above (a project's domain and
   * ancestors), plus every role those imply. Domain-specific roles are left out, as Keystone
   * leaves them out of tokens (the global roles they imply stay). Empty when none.
   */
  async effectiveRoles(userId: string, scope: RoleScope): Promise<NamedRole[]> {
    const rows = await this.#rowsOfUserAndGroups(userId);
    let applies: (row: AssignmentRow) => boolean;
    if ('projectId' in scope) {
      const project = await this.projects.get(scope.projectId);
      const ancestors = new Set((await this.projects.ancestors(project.id)).map((ref) => ref.id));
      applies = (row) =>
        isProjectType(row.type)
          ? row.target_id === project.id
            ? !row.inherited
            : row.inherited && ancestors.has(row.target_id)
          : row.inherited && row.target_id === project.domain_id;
    } else {
      applies = (row) => !isProjectType(row.type) && !row.inherited && row.target_id === scope.domainId;
    }
    const direct = new Set(rows.filter(applies).map((row) => row.role_id));
    const all = [...direct, ...impliedClosure(await this.roles.rules(), direct).keys()];
    const roles = await this.roles.byId();
    return all
      .flatMap((id) => roles.get(id) ?? [])
      .filter((role) => role.domain_id === null)
      .map((role) => ({ id: role.id, name: role.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Projects where the user holds any role, directly, through a group or by inheritance. */
  async projectsForUser(userId: string): Promise<ProjectRef[]> {
    await this.users.get(userId);
    const rows = await this.#rowsOfUserAndGroups(userId);
    const ids = new Set<string>();
    for (const row of rows) {
      if (isProjectType(row.type)) {
        if (!row.inherited) ids.add(row.target_id);
        else for (const child of await this.projects.subtree(row.target_id)) ids.add(child.id);
      } else if (row.inherited) {
        for (const project of await this.projects.list({ domain_id: row.target_id })) ids.add(project.id);
      }
    }
    return this.projects.list({ ids: [...ids] });
  }

  /** Domains where the user holds a role on the domain itself, directly or through a group. */
  async domainsForUser(userId: string): Promise<DomainRef[]> {
    const rows = await this.#rowsOfUserAndGroups(userId);
    const ids = new Set(rows.filter((row) => !isProjectType(row.type) && !row.inherited).map((row) => row.target_id));
    return (await this.domains.list()).filter((domain) => ids.has(domain.id));
  }

  async #rowsOfUserAndGroups(userId: string): Promise<AssignmentRow[]> {
    const actors = [userId, ...(await this.groups.groupIdsOf(userId))];
    return this.store.tables.assignments.ofActors(actors);
  }

  async #checkExists(grant: Grant): Promise<void> {
    await this.roles.get(grant.roleId);
    await this.#checkActorAndTarget(grant.actor, grant.target);
  }

  async #checkActorAndTarget(actor: GrantActor, target: GrantTarget): Promise<void> {
    if ('userId' in actor) await this.users.get(actor.userId);
    else await this.groups.get(actor.groupId);
    if ('projectId' in target) await this.projects.get(target.projectId);
    else await this.domains.get(target.domainId);
  }

}

export function isProjectType(type: AssignmentType): boolean {
  return type === 'UserProject' || type === 'GroupProject';
}

function assignmentType(actor: GrantActor, target: GrantTarget): AssignmentType {
  const who = 'userId' in actor ? 'User' : 'Group';
  return 'projectId' in target ? `${who}Project` : `${who}Domain`;
}

function toRow(grant: Grant): AssignmentRow {
  return {
    type: assignmentType(grant.actor, grant.target),
    actor_id: 'userId' in grant.actor ? grant.actor.userId : grant.actor.groupId,
    target_id: 'projectId' in grant.target ? grant.target.projectId : grant.target.domainId,
    role_id: grant.roleId,
    inherited: grant.inherited ?? false,
  };
}

function notFound(row: AssignmentRow): NotFound {
  return new NotFound(
    `Could not find role assignment with role: ${row.role_id}, user or group: ${row.actor_id}, project, domain, or system: ${row.target_id}.`,
  );
}
