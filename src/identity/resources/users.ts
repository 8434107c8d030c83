import type { Selectable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, NotFound, Unauthorized } from '../../common/errors/errors.js';
import type { UsersTable } from '../db/tables.js';
import { lockoutState, type LockoutPolicy } from '../passwords/lockout.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordCheck } from '../passwords/password-rules.js';
import { DEFAULT_DOMAIN_ID, type DomainManager } from './domains.js';
import { EntityManager } from './entity-manager.js';
import { duplicateName, mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

/** How users' passwords are hashed, which new passwords are acceptable, and when to lock out. */
export interface PasswordSettings {
  readonly hasher: PasswordHasher;
  /** Throws BadRequest for a new password that breaks the configured rules; any goes when absent. */
  readonly rules?: PasswordCheck;
  /** Keystone's lockout after repeated failed passwords; off when absent. */
  readonly lockout?: LockoutPolicy;
}

export interface UserRef {
  readonly id: string;
  readonly name: string;
  readonly domain_id: string;
  readonly enabled: boolean;
  readonly default_project_id: string | null;
  readonly password_created_at: Date | null;
  readonly options: Extra;
  /** email, description and whatever else the client sent. */
  readonly extra: Extra;
}

export interface UserCreate {
  readonly name: string;
  readonly domain_id?: string;
  readonly enabled?: boolean;
  readonly default_project_id?: string | null;
  readonly password?: string | null;
  readonly options?: Extra;
  readonly extra?: Extra;
}

export type UserUpdate = Partial<UserCreate>;

export interface UserFilter {
  readonly name?: string;
  readonly domain_id?: string;
  readonly enabled?: boolean;
  readonly ids?: readonly string[];
}

/** What a password check found; `locked` while lockout holds, whatever the password. */
export type PasswordVerdict = 'valid' | 'invalid' | 'locked';

/** Users, their passwords and lockout, after Keystone's identity manager. */
export class UserManager extends EntityManager<'identity_users', UserRef, UserFilter> {
  constructor(
    store: ResourceDeps,
    private readonly domains: DomainManager,
    private readonly passwords: PasswordSettings,
  ) {
    super(store, store.tables.users, toRef);
  }

  async create(input: UserCreate): Promise<UserRef> {
    const domainId = input.domain_id ?? DEFAULT_DOMAIN_ID;
    await this.domains.get(domainId);
    await this.#checkDefaultProject(input.default_project_id);
    const now = toDbTimestamp(this.store.now());
    const passwordHash = typeof input.password === 'string' ? await this.#hash(input.password) : null;
    return this.inserted(
      {
        id: newId(),
        name: input.name,
        domain_id: domainId,
        enabled: input.enabled ?? true,
        default_project_id: input.default_project_id ?? null,
        password_hash: passwordHash,
        password_created_at: passwordHash === null ? null : now,
        last_failed_auth_at: null,
        options: toJson(input.options),
        extra: toJson(input.extra),
        created_at: now,
      },
      duplicateName('user', input.name, domainId),
    );
  }

  async findByName(name: string, domainId: string): Promise<UserRef | undefined> {
    const row = await this.store.tables.users.findByName(name, domainId);
    return row === undefined ? undefined : toRef(row);
  }

  /** An admin's update; a new `password` replaces the old one without knowing it. */
  async update(id: string, patch: UserUpdate): Promise<UserRef> {
    const current = await this.get(id);
    if (patch.domain_id !== undefined && patch.domain_id !== current.domain_id) {
      throw new BadRequest('Cannot change Domain ID');
    }
    if (patch.default_project_id !== undefined) await this.#checkDefaultProject(patch.default_project_id);
    const name = patch.name ?? current.name;
    const password = patch.password === undefined ? {} : await this.#passwordColumns(patch.password);
    const updated = await this.updated(
      id,
      {
        name,
        enabled: patch.enabled ?? current.enabled,
        default_project_id: patch.default_project_id === undefined ? current.default_project_id : patch.default_project_id,
        options: toJson(mergeExtra(current.options, patch.options)),
        extra: toJson(mergeExtra(current.extra, patch.extra)),
        ...password,
      },
      duplicateName('user', name, current.domain_id),
    );
    if (current.enabled && patch.enabled === false) await this.store.events.userDisabledOrDeleted(id);
    if (patch.password !== undefined) await this.store.events.passwordChanged(id);
    return updated;
  }

  /**
   * Keystone's self-service change: knowing the original password is the whole check (the route
   * is public), so it counts toward the lockout like a login, and an unknown user is the same
   * 401 as a wrong password (no user enumeration).
   */
  async changePassword(id: string, originalPassword: string, newPassword: string): Promise<void> {
    const verdict = await this.verifyPassword(id, originalPassword).catch((error: unknown) => {
      if (error instanceof NotFound) return 'invalid' as const;
      throw error;
    });
    if (verdict === 'locked') throw new Unauthorized(`The account is locked for user: ${id}.`);
    if (verdict === 'invalid') throw new Unauthorized('Error when changing user password: Invalid user / password');
    await this.store.tables.users.update(id, await this.#passwordColumns(newPassword));
    await this.store.events.passwordChanged(id);
  }

  /**
   * Checks a password for authentication, counting failures: under the lockout policy a user
   * who failed too often is `locked`, whatever the password, until the lock expires (then the
   * count starts again). A success resets the count. Does not look at `enabled`; the caller does.
   */
  async verifyPassword(id: string, password: string): Promise<PasswordVerdict> {
    const users = this.store.tables.users;
    let row = await users.get(id);
    const now = this.store.now();
    if (this.passwords.lockout !== undefined) {
      const failures = {
        count: row.failed_auth_count,
        lastFailedAt: row.last_failed_auth_at === null ? null : fromDbTimestamp(row.last_failed_auth_at),
      };
      const state = lockoutState(this.passwords.lockout, failures, now);
      if (state === 'locked') return 'locked';
      if (state === 'lock-expired') {
        await users.update(id, { failed_auth_count: 0, last_failed_auth_at: null });
        row = { ...row, failed_auth_count: 0 };
      }
    }
    const valid = row.password_hash !== null && (await this.passwords.hasher.verify(password, row.password_hash));
    if (valid) {
      if (row.failed_auth_count > 0) await users.update(id, { failed_auth_count: 0, last_failed_auth_at: null });
      return 'valid';
    }
    await users.countFailedAuth(id, toDbTimestamp(now));
    return 'invalid';
  }

  /** True when the password is the user's, without counting a failure (for the bootstrap). */
  async passwordMatches(id: string, password: string): Promise<boolean> {
    const row = await this.store.tables.users.get(id);
    return row.password_hash !== null && this.passwords.hasher.verify(password, row.password_hash);
  }

  /** Deletes the user with their group memberships, role assignments and credentials. */
  override async delete(id: string): Promise<void> {
    await this.store.tables.users.get(id);
    await this.store.tables.users.deleteWithMemberships(id);
    await this.store.tables.credentials.deleteOf({ userId: id });
    await this.store.events.userDisabledOrDeleted(id);
  }

  async #passwordColumns(password: string | null): Promise<Partial<Selectable<UsersTable>>> {
    return {
      password_hash: password === null ? null : await this.#hash(password),
      password_created_at: password === null ? null : toDbTimestamp(this.store.now()),
      failed_auth_count: 0,
      last_failed_auth_at: null,
    };
  }

  /** Applies the password rules, then hashes. */
  async #hash(password: string): Promise<string> {
    this.passwords.rules?.(password);
    return this.passwords.hasher.hash(password);
  }

  /** A default project must be an existing project, not a domain. */
  async #checkDefaultProject(projectId: string | null | undefined): Promise<void> {
    if (projectId === null || projectId === undefined) return;
    const isDomain = await this.store.tables.domains.find(projectId);
    if (isDomain !== undefined) throw new BadRequest(`User's default project ID cannot be a domain ID: ${projectId}`);
    const project = await this.store.tables.projects.find(projectId);
    if (project === undefined) throw new NotFound(`Could not find project: ${projectId}.`);
  }
}

function toRef(row: Selectable<UsersTable>): UserRef {
  return {
    id: row.id,
    name: row.name,
    domain_id: row.domain_id,
    enabled: row.enabled,
    default_project_id: row.default_project_id,
    password_created_at: row.password_created_at === null ? null : fromDbTimestamp(row.password_created_at),
    options: parseObject(row.options),
    extra: parseObject(row.extra),
  };
}
