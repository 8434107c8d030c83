import { BadRequest } from '../../common/errors/errors.js';
import type { AssignmentStore } from '../db/assignment-store.js';
import type { GroupStore } from '../db/group-store.js';
import { isProjectType, type AssignmentRow } from './assignments.js';
import type { ProjectManager } from './projects.js';
import { impliedClosure, type RoleManager } from './roles.js';
import type { ResourceDeps } from './store.js';

/** `GET /v3/role_assignments`'s filters, as Keystone names them. */
export interface RoleAssignmentFilter {
  readonly userId?: string;
  readonly groupId?: string;
  readonly roleId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
  /** With projectId: the projects below it too. */
  readonly includeSubtree?: boolean;
  /** `scope.OS-INHERIT:inherited_to=projects`: only inherited assignments (true) or only not (false). */
  readonly inherited?: boolean;
  /** Expand groups into their users, inheritance into projects and roles into the roles they imply. */
  readonly effective?: boolean;
  readonly includeNames?: boolean;
}

/** A name with its domain, as include_names shows users, groups and projects. */
export interface NameInDomain {
  readonly name: string;
  readonly domain: { readonly id: string; readonly name: string };
}

/**
 * One assignment as Keystone's assignment manager returns it: an actor, a scope, a role, and
 * where an effective one came from (`indirect`). The API formats links from it.
 */
export interface RoleAssignment {
  readonly roleId: string;
  readonly userId?: string;
  readonly groupId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
  /** A direct inherited assignment (listed on its target, applying below it). */
  readonly inheritedToProjects: boolean;
  readonly indirect: {
    readonly groupId?: string;
    readonly projectId?: string;
    readonly domainId?: string;
    readonly roleId?: string;
  };
  readonly names?: {
    readonly role: { readonly name: string; readonly domain?: { readonly id: string; readonly name: string } };
    readonly user?: NameInDomain;
    readonly group?: NameInDomain;
    readonly project?: NameInDomain;
    readonly domain?: { readonly name: string };
  };
}

/** Keystone's `list_role_assignments`, direct or effective. */
export class RoleAssignmentLister {
  readonly #assignments: AssignmentStore;
  readonly #groups: GroupStore;

  constructor(
    store: ResourceDeps,
    private readonly projects: ProjectManager,
    private readonly roles: RoleManager,
  ) {
    this.#assignments = store.tables.assignments;
    this.#groups = store.tables.groups;
  }

  async list(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    checkCombination(filter);
    const projectIds = filter.projectId === undefined ? undefined : await this.#projectIds(filter.projectId, filter.includeSubtree);
    let found = filter.effective ? await this.#effective(filter) : await this.#direct(filter);
    found = found.filter(
      (entry) =>
        (filter.roleId === undefined || entry.roleId === filter.roleId) &&
        (projectIds === undefined || (entry.projectId !== undefined && projectIds.has(entry.projectId))) &&
        (filter.domainId === undefined || entry.domainId === filter.domainId),
    );
    return filter.includeNames ? this.#withNames(found) : found;
  }

  async #direct(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    const rows = await this.#assignments.list(filter);
    return rows.map((row) => ({ ...actorOf(row), ...targetOf(row), roleId: row.role_id, inheritedToProjects: row.inherited, indirect: {} }));
  }

  /** Every assignment that reaches a user: groups, inheritance and implied roles expanded. */
  async #effective(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    const members = await this.#groups.allMembers();
    const userId = filter.userId;
    const rows =
      userId === undefined
        ? await this.#assignments.list({})
        : await this.#assignments.ofActors([userId, ...members.filter((member) => member.user_id === userId).map((member) => member.group_id)]);
    const entries: RoleAssignment[] = [];
    for (const row of rows) {
      const users = row.type.startsWith('User')
        ? [{ userId: row.actor_id, group: {} }]
        : members
            .filter((member) => member.group_id === row.actor_id && (filter.userId === undefined || member.user_id === filter.userId))
            .map((member) => ({ userId: member.user_id, group: { groupId: row.actor_id } }));
      for (const target of await this.#targetsOf(row)) {
        for (const user of users) {
          entries.push({ roleId: row.role_id, userId: user.userId, ...target.scope, inheritedToProjects: false, indirect: { ...user.group, ...target.indirect } });
        }
      }
    }
    return this.#withImpliedRoles(entries);
  }

  /** Where a row applies: its own target, or for an inherited one each project below it. */
  async #targetsOf(row: AssignmentRow): Promise<{ scope: { projectId: string } | { domainId: string }; indirect: RoleAssignment['indirect'] }[]> {
    if (!row.inherited) return [{ scope: targetOf(row), indirect: {} }];
    const below = isProjectType(row.type)
      ? await this.projects.subtree(row.target_id)
      : await this.projects.list({ domain_id: row.target_id });
    const indirect = isProjectType(row.type) ? { projectId: row.target_id } : { domainId: row.target_id };
    return below.map((project) => ({ scope: { projectId: project.id }, indirect }));
  }

  /** Adds an entry per implied role; domain-specific roles are dropped, as from tokens. */
  async #withImpliedRoles(entries: RoleAssignment[]): Promise<RoleAssignment[]> {
    const rules = await this.roles.rules();
    const roles = await this.roles.byId();
    const expanded: RoleAssignment[] = [];
    for (const entry of entries) {
      expanded.push(entry);
      for (const [impliedId, priorId] of impliedClosure(rules, [entry.roleId])) {
        expanded.push({ ...entry, roleId: impliedId, indirect: { ...entry.indirect, roleId: priorId } });
      }
    }
    return expanded.filter((entry) => roles.get(entry.roleId)?.domain_id === null);
  }

  async #projectIds(projectId: string, includeSubtree: boolean | undefined): Promise<Set<string>> {
    const ids = new Set([projectId]);
    if (includeSubtree) for (const child of await this.projects.subtree(projectId)) ids.add(child.id);
    return ids;
  }

  async #withNames(entries: RoleAssignment[]): Promise<RoleAssignment[]> {
    const [{ domains, projects, users, groups }, roles] = await Promise.all([this.#assignments.names(), this.roles.byId()]);
    const domainNames = new Map(domains.map((domain) => [domain.id, domain.name]));
    const inDomain = (rows: { id: string; name: string; domain_id: string }[]) =>
      new Map<string, NameInDomain>(
        rows.map((row) => [row.id, { name: row.name, domain: { id: row.domain_id, name: domainNames.get(row.domain_id) ?? '' } }]),
      );
    const [projectNames, userNames, groupNames] = [inDomain(projects), inDomain(users), inDomain(groups)];
    const missing: NameInDomain = { name: '', domain: { id: '', name: '' } };
    return entries.map((entry) => {
      const role = roles.get(entry.roleId);
      const roleDomain = role?.domain_id ?? null;
      return {
        ...entry,
        names: {
          role: { name: role?.name ?? '', ...(roleDomain === null ? {} : { domain: { id: roleDomain, name: domainNames.get(roleDomain) ?? '' } }) },
          ...(entry.userId === undefined ? {} : { user: userNames.get(entry.userId) ?? missing }),
          ...(entry.groupId === undefined ? {} : { group: groupNames.get(entry.groupId) ?? missing }),
          ...(entry.projectId === undefined ? {} : { project: projectNames.get(entry.projectId) ?? missing }),
          ...(entry.domainId === undefined ? {} : { domain: { name: domainNames.get(entry.domainId) ?? '' } }),
        },
      };
    });
  }
}

/** Keystone's checks on filter combinations that are contradictory or always empty. */
function checkCombination(filter: RoleAssignmentFilter): void {
  if (filter.userId !== undefined && filter.groupId !== undefined) throw new BadRequest('Specify a user or group, not both');
  if (filter.projectId !== undefined && filter.domainId !== undefined) throw new BadRequest('Specify a domain or project, not both');
  if (filter.effective && filter.groupId !== undefined) {
    throw new BadRequest('Combining effective and group filter will always result in an empty list.');
  }
  if (filter.effective && filter.inherited && filter.domainId !== undefined) {
    throw new BadRequest('Combining effective, domain and inherited filters will always result in an empty list.');
  }
}

function actorOf(row: AssignmentRow): { userId: string } | { groupId: string } {
  return row.type.startsWith('User') ? { userId: row.actor_id } : { groupId: row.actor_id };
}

function targetOf(row: AssignmentRow): { projectId: string } | { domainId: string } {
  return isProjectType(row.type) ? { projectId: row.target_id } : { domainId: row.target_id };
}
