import type { Selectable } from 'kysely';
import { Forbidden, NotFound } from '../../common/errors/errors.js';
import { NULL_DOMAIN_ID, type RolesTable } from '../db/tables.js';
import { removedAssignment } from './events.js';
import { EntityManager } from './entity-manager.js';
import { duplicateName, newId, parseObject, patchedDescription, toJson, type Extra, type ResourceDeps } from './store.js';

/** Keystone's `[assignment] prohibited_implied_role`: no role may imply admin. */
const PROHIBITED_IMPLIED_ROLES: readonly string[] = ['admin'];

export interface RoleRef {
  readonly id: string;
  readonly name: string;
  /** Set for a domain-specific role, null for a global one. */
  readonly domain_id: string | null;
  readonly description: string | null;
  readonly extra: Extra;
}

export interface RoleCreate {
  readonly name: string;
  readonly domain_id?: string | null;
  readonly description?: string | null;
  readonly extra?: Extra;
}

export type RoleUpdate = Partial<Omit<RoleCreate, 'domain_id'>>;

export interface RoleFilter {
  readonly name?: string;
  /** A domain's own roles; without it, the global roles. */
  readonly domain_id?: string;
}

export interface ImpliedRule {
  readonly priorId: string;
  readonly impliedId: string;
}

/**
 * The roles `roleIds` imply, directly or through others, none of `roleIds` themselves: a map
 * implied id → the prior role it was reached from, breadth first (Keystone's `indirect.role_id`).
 */
export function impliedClosure(rules: readonly ImpliedRule[], roleIds: Iterable<string>): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set(roleIds);
  let level = [...seen];
  while (level.length > 0) {
    const next: string[] = [];
    for (const rule of rules) {
      if (!level.includes(rule.priorId) || seen.has(rule.impliedId)) continue;
      seen.add(rule.impliedId);
      found.set(rule.impliedId, rule.priorId);
      next.push(rule.impliedId);
    }
    level = next;
  }
  return found;
}

/** One prior role with the roles it implies directly. */
export interface RoleInference {
  readonly prior: RoleRef;
  readonly implies: readonly RoleRef[];
}

/** Roles and the implications between them (admin ⊃ member ⊃ reader). */
export class RoleManager extends EntityManager<'identity_roles', RoleRef, RoleFilter> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.roles, toRef);
  }

  async create(input: RoleCreate): Promise<RoleRef> {
    const domainId = input.domain_id ?? null;
    return this.inserted(
      { id: newId(), name: input.name, domain_id: domainId ?? NULL_DOMAIN_ID, description: input.description ?? null, extra: toJson(input.extra) },
      duplicateName('role', input.name, domainId),
    );
  }

  /** Every role, global and domain-specific, by id (for naming many at once). */
  async byId(): Promise<Map<string, RoleRef>> {
    const rows = await this.store.tables.roles.all();
    return new Map(rows.map((row) => [row.id, toRef(row)]));
  }

  async update(id: string, patch: RoleUpdate): Promise<RoleRef> {
    const current = await this.get(id);
    const name = patch.name ?? current.name;
    return this.updated(id, { name, ...patchedDescription(current, patch) }, duplicateName('role', name, current.domain_id));
  }

  /** Deletes the role with its assignments and implication rules. */
  override async delete(id: string): Promise<void> {
    await this.get(id);
    const assignments = await this.store.tables.assignments.ofRole(id);
    await this.store.tables.roles.deleteWithAssignments(id);
    for (const row of assignments) await this.store.events.roleAssignmentRemoved(removedAssignment(row));
  }

  /** Makes `priorId` imply `impliedId`; creating an existing rule again changes nothing. */
  async createImplied(priorId: string, impliedId: string): Promise<RoleInference> {
    const prior = await this.get(priorId);
    const implied = await this.get(impliedId);
    if (PROHIBITED_IMPLIED_ROLES.includes(implied.name)) throw new Forbidden(`${impliedId} cannot be an implied roles.`);
    if (prior.domain_id === null && implied.domain_id !== null) {
      throw new Forbidden('Global role cannot imply a domain-specific role');
    }
    if (!(await this.store.tables.roles.implies(priorId, impliedId))) await this.store.tables.roles.addImplied(priorId, impliedId);
    return { prior, implies: [implied] };
  }

  async getImplied(priorId: string, impliedId: string): Promise<RoleInference> {
    const prior = await this.get(priorId);
    const implied = await this.get(impliedId);
    if (!(await this.store.tables.roles.implies(priorId, impliedId))) throw new NotFound(`${priorId} does not imply ${impliedId}.`);
    return { prior, implies: [implied] };
  }

  async deleteImplied(priorId: string, impliedId: string): Promise<void> {
    await this.getImplied(priorId, impliedId);
    await this.store.tables.roles.deleteImplied(priorId, impliedId);
  }

  /** The roles `priorId` implies directly. */
  async listImplied(priorId: string): Promise<RoleInference> {
    const prior = await this.get(priorId);
    const roles = await this.byId();
    const rules = await this.store.tables.roles.impliedRules({ priorId });
    return { prior, implies: rules.flatMap((rule) => roles.get(rule.implied_role_id) ?? []) };
  }

  /** Every rule, grouped by prior role. */
  async listInferences(): Promise<RoleInference[]> {
    const roles = await this.byId();
    const rules = await this.store.tables.roles.impliedRules({ byPrior: true });
    const grouped = new Map<string, RoleRef[]>();
    for (const rule of rules) {
      const implied = roles.get(rule.implied_role_id);
      if (implied !== undefined) grouped.set(rule.prior_role_id, [...(grouped.get(rule.prior_role_id) ?? []), implied]);
    }
    return [...grouped].flatMap(([priorId, implies]) => {
      const prior = roles.get(priorId);
      return prior === undefined ? [] : [{ prior, implies }];
    });
  }

  /** Every implication rule (the table is small: read whole, expand in memory). */
  async rules(): Promise<ImpliedRule[]> {
    const rows = await this.store.tables.roles.impliedRules();
    return rows.map((row) => ({ priorId: row.prior_role_id, impliedId: row.implied_role_id }));
  }
}

function toRef(row: Selectable<RolesTable>): RoleRef {
  return {
    id: row.id,
    name: row.name,
    domain_id: row.domain_id === NULL_DOMAIN_ID ? null : row.domain_id,
    description: row.description,
    extra: parseObject(row.extra),
  };
}
