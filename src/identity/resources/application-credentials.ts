import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { AccessRuleRequest, AccessRuleRow, AccessRuleRowFilter, ApplicationCredentialRow, ApplicationCredentialStore } from '../db/application-credential-store.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { AssignmentManager } from './assignments.js';
import type { IdentityEvents } from './events.js';
import type { RoleManager } from './roles.js';
import { conflictStoring, newId, type ResourceDeps } from './store.js';

/** A role an application credential may use, as Keystone lists it. */
export interface ApplicationCredentialRole {
  readonly id: string;
  readonly name: string;
  readonly domain_id: string | null;
}

/** An access rule as Keystone shows it: what a credential's tokens may call. */
export interface AccessRule {
  readonly id: string;
  readonly service: string;
  readonly path: string;
  readonly method: string;
}

export type { AccessRuleRequest };

export interface ApplicationCredentialRef {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly user_id: string;
  readonly project_id: string;
  /** Null: it never expires. */
  readonly expires_at: ExpiryTime | null;
  /** Whether its tokens may create or delete application credentials and trusts. */
  readonly unrestricted: boolean;
  readonly roles: readonly ApplicationCredentialRole[];
  /** Empty: its tokens may call anything their roles allow. */
  readonly access_rules: readonly AccessRule[];
}

export interface ApplicationCredentialCreate {
  readonly userId: string;
  readonly projectId: string;
  readonly name: string;
  readonly description?: string | null;
  /** Stored hashed; the caller shows it once. */
  readonly secret: string;
  readonly expiresAt?: ExpiryTime | null;
  readonly unrestricted?: boolean;
  /** Each must be a role the user holds on the project. */
  readonly roleIds: readonly string[];
  /** The calls its tokens are limited to; none limits nothing. */
  readonly accessRules?: readonly AccessRuleRequest[];
}

/**
 * A credential's expiry as Keystone keeps it, to the microsecond the client gave (Tempest
 * compares it with what it sent): UTC, fixed width, `2026-12-06T10:15:30.123456Z`.
 */
export type ExpiryTime = string & { readonly __expiryTime: true };

/** An ISO 8601 time (UTC when it names no zone) to the microsecond; undefined when it is not one. */
export function expiryTime(text: string): ExpiryTime | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i.exec(text);
  if (match === null) return undefined;
  const zone = (match[3] ?? 'Z').toUpperCase().replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const seconds = new Date(`${match[1] ?? ''}${zone}`);
  if (Number.isNaN(seconds.getTime())) return undefined;
  const fraction = (match[2] ?? '').slice(0, 6).padEnd(6, '0');
  return `${seconds.toISOString().slice(0, 19)}.${fraction}Z` as ExpiryTime;
}

function expiryDate(time: ExpiryTime): Date {
  return new Date(time);
}

/** Why a secret was refused (logged, never shown: every refusal is the same 401). */
export type ApplicationCredentialRefusal = 'unknown' | 'expired' | 'wrong secret';

/**
 * Keystone's application credential manager: a user's named secrets for one project and a
 * subset of their roles there. The secret is hashed with the password hasher. A credential
 * dies with its user, when the user is disabled, and when the user loses a role on its
 * project (see deletingApplicationCredentials).
 */
export class ApplicationCredentialManager {
  readonly #rows: ApplicationCredentialStore;

  constructor(
    private readonly store: ResourceDeps,
    private readonly roles: RoleManager,
    private readonly assignments: AssignmentManager,
    private readonly hasher: PasswordHasher,
  ) {
    this.#rows = store.tables.applicationCredentials;
  }

  async create(input: ApplicationCredentialCreate): Promise<ApplicationCredentialRef> {
    const held = new Set((await this.assignments.effectiveRoles(input.userId, { projectId: input.projectId })).map((role) => role.id));
    for (const roleId of input.roleIds) {
      if (!held.has(roleId)) {
        throw new BadRequest(
          `Invalid application credential: Could not find role assignment with role: ${roleId}, user or group: ${input.userId}, project, domain, or system: ${input.projectId}.`,
        );
      }
    }
    const id = newId();
    await this.#rows.insertWithRoles(
      {
        id,
        name: input.name,
        user_id: input.userId,
        project_id: input.projectId,
        secret_hash: await this.hasher.hash(input.secret),
        description: input.description ?? null,
        expires_at: input.expiresAt ?? null,
        unrestricted: input.unrestricted ?? false,
        created_at: toDbTimestamp(this.store.now()),
      },
      [...new Set(input.roleIds)],
      input.accessRules ?? [],
      conflictStoring('application_credential', 'Duplicate entry'),
    );
    return this.get(id);
  }

  async get(id: string): Promise<ApplicationCredentialRef> {
    const [ref] = await this.#refs([await this.#rows.get(id)]);
    if (ref === undefined) throw new NotFound(`Could not find Application Credential: ${id}.`);
    return ref;
  }

  /** The user's credentials, by name. */
  async list(userId: string, filter: { readonly name?: string } = {}): Promise<ApplicationCredentialRef[]> {
    return this.#refs(await this.#rows.list({ user_id: userId, name: filter.name }));
  }

  /** The user's credential of that name, or undefined. */
  async findByName(userId: string, name: string): Promise<ApplicationCredentialRef | undefined> {
    const row = await this.#rows.findByName(userId, name);
    return row === undefined ? undefined : (await this.#refs([row]))[0];
  }

  /** Deletes the credential; its tokens stop working. */
  async delete(id: string): Promise<void> {
    await this.#rows.get(id);
    await this.#rows.delete(id);
    await this.store.events.applicationCredentialDeleted(id);
  }

  /** The user's access rules, narrowed by service, path and method. */
  async listAccessRules(filter: AccessRuleRowFilter): Promise<AccessRule[]> {
    return (await this.#rows.listAccessRules(filter)).map(accessRuleOf);
  }

  /** The user's access rule; another user's is not found. */
  async getAccessRule(userId: string, id: string): Promise<AccessRule> {
    const row = await this.#rows.findAccessRule(id);
    if (row === undefined || row.user_id !== userId) throw new NotFound(`Could not find Access Rule: ${id}.`);
    return accessRuleOf(row);
  }

  /** Deletes the user's access rule; one a credential still uses is a 403, as Keystone's. */
  async deleteAccessRule(userId: string, id: string): Promise<void> {
    await this.getAccessRule(userId, id);
    if ((await this.#rows.deleteAccessRule(id)) === 'in use') throw new Forbidden('May not delete access rule in use');
  }

  /** The credential when the secret is its own and it has not expired. */
  async authenticate(id: string, secret: string): Promise<ApplicationCredentialRef | ApplicationCredentialRefusal> {
    const row = await this.#rows.find(id);
    if (row === undefined) return 'unknown';
    if (isExpired(row, this.store.now())) return 'expired';
    if (!(await this.hasher.verify(secret, row.secret_hash))) return 'wrong secret';
    return this.get(id);
  }

  /** True while the credential exists and has not expired (a token issued for it is still good). */
  isUsable(ref: ApplicationCredentialRef): boolean {
    return ref.expires_at === null || expiryDate(ref.expires_at).getTime() > this.store.now().getTime();
  }

  async #refs(rows: readonly ApplicationCredentialRow[]): Promise<ApplicationCredentialRef[]> {
    const ids = rows.map((row) => row.id);
    const [roleIds, accessRules] = await Promise.all([this.#rows.roleIds(ids), this.#rows.accessRules(ids)]);
    const roles = await this.roles.byId();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      user_id: row.user_id,
      project_id: row.project_id,
      expires_at: row.expires_at === null ? null : (row.expires_at as ExpiryTime),
      unrestricted: row.unrestricted,
      roles: (roleIds.get(row.id) ?? []).flatMap((roleId) => {
        const role = roles.get(roleId);
        return role === undefined ? [] : [{ id: role.id, name: role.name, domain_id: role.domain_id }];
      }),
      access_rules: (accessRules.get(row.id) ?? []).map(accessRuleOf),
    }));
  }
}

function accessRuleOf(row: AccessRuleRow): AccessRule {
  return { id: row.id, service: row.service, path: row.path, method: row.method };
}

function isExpired(row: ApplicationCredentialRow, now: Date): boolean {
  return row.expires_at !== null && expiryDate(row.expires_at as ExpiryTime).getTime() <= now.getTime();
}

/**
 * Keystone's callbacks: a user deleted or disabled loses every application credential, and a
 * user whose role on a project is removed loses their credentials for that project. Their
 * tokens are revoked by the same events.
 */
export function deletingApplicationCredentials(events: IdentityEvents, rows: ApplicationCredentialStore): IdentityEvents {
  return {
    ...events,
    userDisabledOrDeleted: async (userId) => {
      await rows.deleteOfUser(userId);
      await events.userDisabledOrDeleted(userId);
    },
    roleAssignmentRemoved: async (removed) => {
      if (removed.userId !== undefined && removed.projectId !== undefined) await rows.deleteOfUser(removed.userId, removed.projectId);
      await events.roleAssignmentRemoved(removed);
    },
  };
}
