import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { IdentityStores } from '../db/identity-stores.js';
import type { TrustRow, TrustStore } from '../db/trust-store.js';
import type { ExpiryTime } from './application-credentials.js';
import type { AssignmentManager } from './assignments.js';
import type { IdentityEvents } from './events.js';
import type { ProjectManager } from './projects.js';
import { impliedClosure, type RoleManager, type RoleRef } from './roles.js';
import { conflictStoring, newId, type ResourceDeps } from './store.js';
import type { UserManager } from './users.js';

/** Keystone's `[trust] max_redelegation_count` default: how deep a redelegatable trust may be delegated on. */
export const MAX_REDELEGATION_COUNT = 3;

export interface TrustRef {
  readonly id: string;
  readonly trustor_user_id: string;
  readonly trustee_user_id: string;
  /** Null: a trust that delegates no roles (Keystone allows one without a project). */
  readonly project_id: string | null;
  /** Whether the trustee's tokens act as the trustor. */
  readonly impersonation: boolean;
  readonly expires_at: ExpiryTime | null;
  /** Tokens still to be issued for it; null: unlimited. */
  readonly remaining_uses: number | null;
  readonly redelegation_count: number;
  /** The delegated roles that still exist. */
  readonly roles: readonly RoleRef[];
}

export interface TrustCreate {
  readonly trustorUserId: string;
  readonly trusteeUserId: string;
  readonly projectId: string | null;
  readonly impersonation: boolean;
  /** By id or by unique name; each must be held (directly, by group or implied) by the trustor on the project. */
  readonly roles: readonly { readonly id?: string; readonly name?: string }[];
  readonly expiresAt: ExpiryTime | null;
  readonly remainingUses: number | null;
  readonly allowRedelegation: boolean;
  readonly redelegationCount: number | null;
}

/**
 * Keystone's trust manager (keystone/trust/core.py with the checks of keystone/api/trusts.py):
 * a trustor delegates roles they hold on a project to a trustee. A trust that has expired or
 * used up its uses is gone for every read (404), as Keystone's get_trust treats it.
 */
export class TrustManager {
  readonly #rows: TrustStore;

  constructor(
    private readonly store: ResourceDeps,
    private readonly users: UserManager,
    private readonly projects: ProjectManager,
    private readonly roles: RoleManager,
    private readonly assignments: AssignmentManager,
  ) {
    this.#rows = store.tables.trusts;
  }

  async create(input: TrustCreate): Promise<TrustRef> {
    await this.users.get(input.trusteeUserId);
    const roleIds = await this.#roleIds(input.roles);
    const held = input.projectId === null ? new Set<string>() : await this.#trustorRoles(input.trustorUserId, input.projectId);
    const missing = roleIds.find((id) => !held.has(id));
    if (missing !== undefined) throw new NotFound(`Could not find role: ${missing}.`);
    const redelegatable = input.allowRedelegation && input.redelegationCount !== 0;
    if (redelegatable && input.remainingUses !== null) throw new BadRequest('remaining_uses must not be set if redelegation is allowed');
    if (redelegatable && input.redelegationCount !== null && input.redelegationCount > MAX_REDELEGATION_COUNT) {
      throw new Forbidden(`Requested redelegation depth of ${input.redelegationCount} is greater than allowed ${MAX_REDELEGATION_COUNT}`);
    }
    const id = newId();
    await this.#rows.insertWithRoles(
      {
        id,
        trustor_user_id: input.trustorUserId,
        trustee_user_id: input.trusteeUserId,
        project_id: input.projectId,
        impersonation: input.impersonation,
        expires_at: input.expiresAt,
        remaining_uses: input.remainingUses,
        redelegation_count: redelegatable ? (input.redelegationCount ?? MAX_REDELEGATION_COUNT) : 0,
        created_at: toDbTimestamp(this.store.now()),
      },
      [...new Set(roleIds)],
      conflictStoring('trust', 'Duplicate entry'),
    );
    return this.get(id);
  }

  /**
   * The trust while usable; Keystone's 404 once it is deleted, expired or used up. `usedUp`
   * admits a trust whose uses are all taken: the tokens it gave stay good (Keystone's own
   * validation would refuse even the token that took the last use).
   */
  async get(id: string, { usedUp = false }: { readonly usedUp?: boolean } = {}): Promise<TrustRef> {
    const row = await this.#rows.find(id);
    if (row === undefined || !this.#usable(row, usedUp)) throw new NotFound(`Could not find trust: ${id}.`);
    const [ref] = await this.#refs([row]);
    if (ref === undefined) throw new NotFound(`Could not find trust: ${id}.`);
    return ref;
  }

  /** Every trust, or one trustor's or trustee's, whatever their expiry (as Keystone lists them). */
  async list(filter: { readonly trustorUserId?: string; readonly trusteeUserId?: string } = {}): Promise<TrustRef[]> {
    return this.#refs(await this.#rows.list({ trustor_user_id: filter.trustorUserId, trustee_user_id: filter.trusteeUserId }));
  }

  /** Deletes the trust; tokens scoped to it stop working. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.#rows.deleteWithRoles([id]);
    await this.store.events.trustWithdrawn(id);
  }

  /** Takes one use for a new token; false when the trust has none left (or is gone). */
  consumeUse(id: string): Promise<boolean> {
    return this.#rows.consumeUse(id);
  }

  /**
   * The roles a token of the trust carries now: the delegated roles with those they imply, each
   * of which the trustor must still hold on the project; undefined when one is no longer held
   * (Keystone: "Trustee has no delegated roles").
   */
  async tokenRoleIds(trust: TrustRef): Promise<Set<string> | undefined> {
    if (trust.project_id === null) return new Set();
    const granted = trust.roles.map((role) => role.id);
    const effective = new Set([...granted, ...impliedClosure(await this.roles.rules(), granted).keys()]);
    const held = await this.#trustorRoles(trust.trustor_user_id, trust.project_id);
    for (const id of effective) if (!held.has(id)) return undefined;
    return effective;
  }

  #usable(row: TrustRow, usedUp: boolean): boolean {
    if (!usedUp && row.remaining_uses !== null && row.remaining_uses <= 0) return false;
    return row.expires_at === null || new Date(row.expires_at).getTime() > this.store.now().getTime();
  }

  async #trustorRoles(trustorId: string, projectId: string): Promise<Set<string>> {
    await this.projects.get(projectId);
    return new Set((await this.assignments.effectiveRoles(trustorId, { projectId })).map((role) => role.id));
  }

  /** Role ids as asked; a name must name exactly one role (Keystone's get_unique_role_by_name). */
  async #roleIds(asked: TrustCreate['roles']): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of asked) {
      if (ref.id !== undefined) {
        ids.push(ref.id);
        continue;
      }
      const name = ref.name ?? '';
      const matches = await this.roles.list({ name });
      const [role] = matches;
      if (role === undefined || matches.length > 1) throw new NotFound(`Could not find role: ${name}.`);
      ids.push(role.id);
    }
    return ids;
  }

  async #refs(rows: readonly TrustRow[]): Promise<TrustRef[]> {
    const roleIds = await this.#rows.roleIds(rows.map((row) => row.id));
    const roles = await this.roles.byId();
    return rows.map((row) => ({
      id: row.id,
      trustor_user_id: row.trustor_user_id,
      trustee_user_id: row.trustee_user_id,
      project_id: row.project_id,
      impersonation: row.impersonation,
      expires_at: row.expires_at === null ? null : (row.expires_at as ExpiryTime),
      remaining_uses: row.remaining_uses,
      redelegation_count: row.redelegation_count,
      roles: (roleIds.get(row.id) ?? []).flatMap((roleId) => {
        const role = roles.get(roleId);
        return role === undefined ? [] : [role];
      }),
    }));
  }
}

/**
 * Keystone's callbacks: a deleted user's trusts (as trustor or trustee) are deleted; a disabled
 * user's, or a trustor's who lost a role on the trust's project, stop giving tokens (their
 * tokens are revoked; validation refuses new ones while it lasts).
 */
export function withdrawingTrusts(events: IdentityEvents, tables: IdentityStores): IdentityEvents {
  const rows = tables.trusts;
  return {
    ...events,
    userDisabledOrDeleted: async (userId) => {
      const trusts = await rows.ofUser(userId);
      if ((await tables.users.find(userId)) === undefined) await rows.deleteWithRoles(trusts.map((trust) => trust.id));
      for (const trust of trusts) await events.trustWithdrawn(trust.id);
      await events.userDisabledOrDeleted(userId);
    },
    roleAssignmentRemoved: async (removed) => {
      if (removed.userId !== undefined && removed.projectId !== undefined) {
        const trusts = await rows.list({ trustor_user_id: removed.userId });
        for (const trust of trusts) if (trust.project_id === removed.projectId) await events.trustWithdrawn(trust.id);
      }
      await events.roleAssignmentRemoved(removed);
    },
  };
}
