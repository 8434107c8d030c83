import type { AuthenticatedToken } from '../../common/auth/token-validator.js';
import { unlessNotFound } from '../../common/errors/errors.js';
import type { ApplicationCredentialRef } from '../resources/application-credentials.js';
import type { NamedRole } from '../resources/assignments.js';
import type { DomainRef } from '../resources/domains.js';
import type { CatalogEntry } from '../resources/endpoints.js';
import type { IdentityManagers } from '../resources/index.js';
import type { ProjectRef } from '../resources/projects.js';
import type { TrustRef } from '../resources/trusts.js';
import { impliedClosure } from '../resources/roles.js';
import type { UserRef } from '../resources/users.js';
import { TokenNotFound } from '../tokens/token-provider.js';
import type { TokenPayload } from '../tokens/token-payload.js';

/** A token with everything Keystone shows about it, checked against the current state of the cloud. */
export interface TokenView {
  readonly token: string;
  readonly payload: TokenPayload;
  readonly user: UserRef;
  readonly userDomain: DomainRef;
  readonly project?: { readonly ref: ProjectRef; readonly domain: DomainRef };
  readonly domain?: DomainRef;
  /** A system-scoped token (`system: {all: true}`). */
  readonly system?: true;
  readonly roles: readonly NamedRole[];
  /** The application credential the token was issued for. */
  readonly applicationCredential?: ApplicationCredentialRef;
  /** The trust the token is scoped to; `user` is then its trustor when it impersonates, else its trustee. */
  readonly trust?: TrustRef;
}

/**
 * Builds a token's view as Keystone does on every validation: the user and their domain must
 * still be enabled, the scope's project or domain too, an application credential's must still
 * exist and not have expired, a trust's too (with its trustor enabled and still holding the
 * delegated roles), and a scoped token must still carry roles; otherwise the token is as good as
 * revoked.
 */
export async function buildTokenView(managers: IdentityManagers, token: string, payload: TokenPayload): Promise<TokenView> {
  const gone = () => new TokenNotFound(token, 'revoked');
  const enabledDomain = async (id: string) => {
    const domain = await unlessNotFound(() => managers.domains.get(id));
    if (domain === undefined || !domain.enabled) throw gone();
    return domain;
  };
  const enabledUser = async (id: string) => {
    const found = await unlessNotFound(() => managers.users.get(id));
    if (found === undefined || !found.enabled) throw gone();
    return { user: found, domain: await enabledDomain(found.domain_id) };
  };
  const authenticated = await enabledUser(payload.userId);
  const credential = await usableCredential(managers, payload);
  if (credential === null) throw gone();
  const trust = await usableTrust(managers, payload);
  if (trust === null) throw gone();
  const trustor = trust === undefined ? undefined : await enabledUser(trust.trustor_user_id);
  const { user, domain: userDomain } = trust?.impersonation === true && trustor !== undefined ? trustor : authenticated;
  const base = {
    token,
    payload,
    user,
    userDomain,
    ...(credential === undefined ? {} : { applicationCredential: credential }),
    ...(trust === undefined ? {} : { trust }),
  };
  switch (payload.scope.kind) {
    case 'unscoped':
      return { ...base, roles: [] };
    case 'project': {
      const ref = await unlessNotFound(() => managers.projects.get((payload.scope as { projectId: string }).projectId));
      if (ref === undefined || !ref.enabled) throw gone();
      const domain = await enabledDomain(ref.domain_id);
      const roles = trust !== undefined ? await trustRoles(managers, trust) : await userRoles(managers, user.id, ref.id, credential);
      if (roles.length === 0) throw gone();
      return { ...base, project: { ref, domain }, roles };
    }
    case 'system': {
      const roles = await managers.systemAssignments.effectiveRoles(user.id);
      if (roles.length === 0) throw gone();
      return { ...base, system: true, roles };
    }
    case 'domain': {
      const domain = await enabledDomain(payload.scope.domainId);
      const roles = await managers.assignments.effectiveRoles(user.id, { domainId: domain.id });
      if (roles.length === 0) throw gone();
      return { ...base, domain, roles };
    }
  }
}

/** The token's application credential; null when it is gone, expired or not the token user's; undefined for other tokens. */
async function usableCredential(managers: IdentityManagers, payload: TokenPayload): Promise<ApplicationCredentialRef | null | undefined> {
  const id = payload.applicationCredentialId;
  if (id === undefined) return undefined;
  const credential = await unlessNotFound(() => managers.applicationCredentials.get(id));
  if (credential === undefined || credential.user_id !== payload.userId || !managers.applicationCredentials.isUsable(credential)) return null;
  return credential;
}

/** The token's trust (its uses may all be taken); null when it is gone, expired or not the token user's; undefined for other tokens. */
async function usableTrust(managers: IdentityManagers, payload: TokenPayload): Promise<TrustRef | null | undefined> {
  const id = payload.trustId;
  if (id === undefined) return undefined;
  const trust = await unlessNotFound(() => managers.trusts.get(id, { usedUp: true }));
  if (trust === undefined || trust.trustee_user_id !== payload.userId) return null;
  return trust;
}

/** The roles of a trust's token: the delegated ones and those they imply, while the trustor holds them all. */
async function trustRoles(managers: IdentityManagers, trust: TrustRef): Promise<NamedRole[]> {
  const allowed = await managers.trusts.tokenRoleIds(trust);
  if (allowed === undefined || trust.project_id === null) return [];
  const held = await managers.assignments.effectiveRoles(trust.trustor_user_id, { projectId: trust.project_id });
  return held.filter((role) => allowed.has(role.id));
}

/** The user's roles on the project, narrowed to an application credential's when the token is one's. */
async function userRoles(managers: IdentityManagers, userId: string, projectId: string, credential: ApplicationCredentialRef | undefined): Promise<NamedRole[]> {
  const held = await managers.assignments.effectiveRoles(userId, { projectId });
  return credential === undefined ? held : credentialRoles(managers, credential, held);
}

/**
 * The roles an application credential's token carries: those of the credential the user still
 * holds on the project, with the roles they imply (so `member` brings `reader`, as a password
 * token's `member` does).
 */
async function credentialRoles(managers: IdentityManagers, credential: ApplicationCredentialRef, held: readonly NamedRole[]): Promise<NamedRole[]> {
  const granted = credential.roles.map((role) => role.id);
  const allowed = new Set([...granted, ...impliedClosure(await managers.roles.rules(), granted).keys()]);
  return held.filter((role) => allowed.has(role.id));
}

/** Keystone prints times with microseconds: 2026-11-22T10:15:30.123000Z. */
function keystoneTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The `token` object of Keystone's POST/GET /v3/auth/tokens responses. */
export function renderToken(view: TokenView, catalog: readonly CatalogEntry[] | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    methods: view.payload.methods,
    user: {
      domain: { id: view.userDomain.id, name: view.userDomain.name },
      id: view.user.id,
      name: view.user.name,
      password_expires_at: null,
    },
    audit_ids: view.payload.auditIds,
    expires_at: keystoneTime(view.payload.expiresAt),
    issued_at: keystoneTime(view.payload.issuedAt),
  };
  if (view.project !== undefined) {
    body['project'] = {
      domain: { id: view.project.domain.id, name: view.project.domain.name },
      id: view.project.ref.id,
      name: view.project.ref.name,
    };
    body['is_domain'] = false;
  }
  if (view.domain !== undefined) body['domain'] = { id: view.domain.id, name: view.domain.name };
  if (view.system === true) body['system'] = { all: true };
  if (view.applicationCredential !== undefined) {
    const { id, name, unrestricted, access_rules: accessRules } = view.applicationCredential;
    body['application_credential'] = { id, name, restricted: !unrestricted, ...(accessRules.length === 0 ? {} : { access_rules: accessRules }) };
  }
  if (view.trust !== undefined) {
    const { id, impersonation, trustor_user_id: trustor, trustee_user_id: trustee } = view.trust;
    body['OS-TRUST:trust'] = { id, impersonation, trustor_user: { id: trustor }, trustee_user: { id: trustee } };
  }
  if (isScoped(view)) {
    body['roles'] = view.roles.map((role) => ({ id: role.id, name: role.name }));
    if (catalog !== undefined) body['catalog'] = catalog;
  }
  return body;
}

/** Scoped to a project, a domain or the system: the token carries roles and a catalog. */
export function isScoped(view: TokenView): boolean {
  return view.project !== undefined || view.domain !== undefined || view.system === true;
}

/** What the auth middleware of every service needs from a view. */
export function authenticatedToken(view: TokenView): AuthenticatedToken {
  const accessRules = view.applicationCredential?.access_rules;
  return {
    userId: view.user.id,
    userName: view.user.name,
    userDomainId: view.user.domain_id,
    ...(view.project === undefined
      ? {}
      : { projectId: view.project.ref.id, projectName: view.project.ref.name, projectDomainId: view.project.ref.domain_id }),
    ...(view.domain === undefined ? {} : { domainId: view.domain.id }),
    roles: view.roles.map((role) => role.name),
    expiresAt: view.payload.expiresAt,
    ...(accessRules === undefined || accessRules.length === 0 ? {} : { accessRules }),
  };
}
