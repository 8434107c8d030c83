import { BadRequest, Forbidden, NotFound, Unauthorized, unlessNotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { IdentityManagers } from '../resources/index.js';
import type { UserRef } from '../resources/users.js';
import type { IssueTokenInput, TokenProvider } from '../tokens/token-provider.js';
import type { AuthMethod, TokenPayload, TokenScope } from '../tokens/token-payload.js';
import type { ApplicationCredentialIdentityRef, AuthRequest, NameOrIdRef, PasswordUserRef, ProjectScopeRef } from './auth-request.js';

const LOG = getLogger('nimbus.identity.auth');

/** Every failure to authenticate looks the same to the client, so users cannot be enumerated. */
function denied(why: string): Unauthorized {
  LOG.info(`Authentication failed: ${why}`);
  return new Unauthorized();
}

const MALFORMED = 'The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';
const ONE_SCOPE = `Expecting to find system, project, domain, OS-TRUST:trust or unscoped in scope. ${MALFORMED}`;

/**
 * The identity and scope half of POST /v3/auth/tokens: checks the methods (password, token,
 * application_credential), resolves the scope (explicit, the user's default project, or the
 * application credential's project) and returns what to put in the new token. Everything refused
 * is a 401 with Keystone's generic message; why is logged.
 */
export class Authenticator {
  /** Verified against for unknown users, so a miss costs what a wrong password costs. */
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly managers: IdentityManagers,
    private readonly tokens: TokenProvider,
    private readonly hasher: PasswordHasher,
  ) {}

  async authenticate(request: AuthRequest): Promise<IssueTokenInput> {
    const { identity, scope } = request.auth;
    const methods = new Set(identity.methods);
    if (methods.has('application_credential')) {
      if (methods.size > 1) throw denied('application_credential combined with another method');
      if (identity.application_credential === undefined) throw new BadRequest(`Expecting to find application_credential in identity. ${MALFORMED}`);
      if (scope !== undefined) throw new Unauthorized('Error authenticating with application credential: Application credentials cannot request a scope.');
      return this.#applicationCredential(identity.application_credential);
    }
    for (const method of methods) {
      if (method !== 'password' && method !== 'token') throw denied(`unsupported method ${method}`);
    }
    let user: UserRef | undefined;
    let parent: TokenPayload | undefined;
    if (methods.has('token')) {
      if (identity.token === undefined) throw new BadRequest(`Expecting to find token in identity. ${MALFORMED}`);
      parent = this.#parentToken(identity.token.id);
      user = await this.#enabledUser(parent.userId);
    }
    if (methods.has('password')) {
      if (identity.password === undefined) throw new BadRequest(`Expecting to find password in identity. ${MALFORMED}`);
      const byPassword = await this.#passwordUser(identity.password.user);
      if (user !== undefined && user.id !== byPassword.id) throw denied('token and password name different users');
      user = byPassword;
    }
    if (user === undefined) throw denied('no method identified a user');
    const issued: AuthMethod[] = [...new Set<AuthMethod>([...(parent?.methods ?? []), ...(methods as Set<AuthMethod>)])];
    const trustRef = typeof scope === 'object' ? scope['OS-TRUST:trust'] : undefined;
    if (trustRef !== undefined) {
      if (scope !== undefined && scope !== 'unscoped' && (scope.project ?? scope.domain ?? scope.system) !== undefined) {
        throw new BadRequest(ONE_SCOPE);
      }
      return this.#trustScoped(user, issued, trustRef.id);
    }

    const tokenScope = await this.#scope(user, scope);
    return { userId: user.id, methods: issued, scope: tokenScope, ...(parent === undefined ? {} : { parent }) };
  }

  /**
   * Keystone's token method lets validate_token's TokenNotFound through: a 404, not a 401. A
   * token of an application credential is not exchanged for another (its scope is the credential's).
   */
  #parentToken(token: string): TokenPayload {
    let parent: TokenPayload;
    try {
      parent = this.tokens.validate(token);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      LOG.info(`Authentication failed: the token to rescope is not valid (${error.message})`);
      throw new NotFound('Failed to validate token');
    }
    if (parent.applicationCredentialId !== undefined) {
      throw new Forbidden('You are not authorized to perform the requested action: Using a delegated token to create another token is not allowed.');
    }
    if (parent.trustId !== undefined) {
      throw new Forbidden(
        'You are not authorized to perform the requested action: Using trust-scoped token to create another token. Create a new trust-scoped token instead.',
      );
    }
    return parent;
  }

  /**
   * A trustee's token on the trust's project, limited (when viewed) to the trust's roles; one use
   * of the trust is taken. A trust gone, expired or used up is the generic 401 (Keystone turns its
   * TrustNotFound into Unauthorized); another user than the trustee, a disabled trustor or a
   * trustor no longer holding the delegated roles is a 403.
   */
  async #trustScoped(user: UserRef, methods: readonly AuthMethod[], trustId: string | undefined): Promise<IssueTokenInput> {
    if (trustId === undefined) throw new BadRequest(`Expecting to find trust_id in trust. ${MALFORMED}`);
    const trusts = this.managers.trusts;
    const trust = await unlessNotFound(() => trusts.get(trustId));
    if (trust === undefined) throw denied(`trust ${trustId} not found, expired or used up`);
    if (trust.trustee_user_id !== user.id) throw new Forbidden('User is not a trustee.');
    const trustor = await unlessNotFound(() => this.managers.users.get(trust.trustor_user_id));
    if (trustor === undefined || !trustor.enabled) throw new Forbidden('Trustor is disabled.');
    if ((await trusts.tokenRoleIds(trust)) === undefined) throw new Forbidden('Trustee has no delegated roles.');
    const projectId = trust.project_id;
    if (projectId !== null) {
      const project = await unlessNotFound(() => this.managers.projects.get(projectId));
      if (project === undefined || !project.enabled) throw denied(`project ${projectId} of trust ${trustId} missing or disabled`);
    }
    if (!(await trusts.consumeUse(trustId))) throw new Forbidden(`No remaining uses for trust: ${trustId}.`);
    return {
      userId: user.id,
      methods,
      scope: projectId === null ? { kind: 'unscoped' } : { kind: 'project', projectId },
      trustId,
      ...(trust.expires_at === null ? {} : { notAfter: new Date(trust.expires_at) }),
    };
  }

  /** A token of the credential's user on the credential's project, limited (when viewed) to its roles. */
  async #applicationCredential(ref: ApplicationCredentialIdentityRef): Promise<IssueTokenInput> {
    const credentials = this.managers.applicationCredentials;
    let id = ref.id;
    if (id === undefined) {
      if (ref.name === undefined) throw new BadRequest(`Invalid input for field identity/application_credential: id or name must be present.`);
      if (ref.user?.id === undefined && ref.user?.name === undefined) {
        throw new BadRequest('Invalid input for field identity/application_credential/user: id or name must be present.');
      }
      const userId = ref.user.id ?? (await this.managers.users.findByName(ref.user.name ?? '', await this.#domainId(ref.user.domain, 'user')))?.id;
      const found = userId === undefined ? undefined : await credentials.findByName(userId, ref.name);
      if (found === undefined) throw denied(`no application credential ${ref.name} of user ${ref.user.id ?? ref.user.name}`);
      id = found.id;
    }
    const credential = await credentials.authenticate(id, ref.secret);
    if (typeof credential === 'string') throw denied(`application credential ${id}: ${credential}`);
    const user = await this.#enabledUser(credential.user_id);
    const project = await unlessNotFound(() => this.managers.projects.get(credential.project_id));
    if (project === undefined || !project.enabled) throw denied(`project ${credential.project_id} of application credential ${id} missing or disabled`);
    await this.#requireRoles(user, { projectId: project.id });
    return {
      userId: user.id,
      methods: ['application_credential'],
      scope: { kind: 'project', projectId: project.id },
      applicationCredentialId: credential.id,
    };
  }

  async #domainId(ref: NameOrIdRef | undefined, what: string): Promise<string> {
    if (ref?.id !== undefined) {
      const domain = await unlessNotFound(() => this.managers.domains.get(ref.id ?? ''));
      if (domain === undefined || !domain.enabled) throw denied(`${what} domain ${ref.id} missing or disabled`);
      return domain.id;
    }
    if (ref?.name !== undefined) {
      const domain = await this.managers.domains.findByName(ref.name);
      if (domain === undefined || !domain.enabled) throw denied(`${what} domain ${ref.name} missing or disabled`);
      return domain.id;
    }
    throw new BadRequest(`Expecting to find domain in ${what}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`);
  }

  async #enabledUser(id: string): Promise<UserRef> {
    const user = await unlessNotFound(() => this.managers.users.get(id));
    if (user === undefined) throw denied(`user ${id} not found`);
    if (!user.enabled) throw denied(`user ${id} is disabled`);
    const domain = await unlessNotFound(() => this.managers.domains.get(user.domain_id));
    if (domain === undefined || !domain.enabled) throw denied(`domain of user ${id} is disabled`);
    return user;
  }

  async #passwordUser(ref: PasswordUserRef): Promise<UserRef> {
    let id = ref.id;
    if (id === undefined) {
      if (ref.name === undefined) throw new BadRequest('Invalid input for field identity/password/user: id or name must be present.');
      const domainId = await this.#domainId(ref.domain, 'user');
      const found = await this.managers.users.findByName(ref.name, domainId);
      if (found === undefined) {
        await this.hasher.verify(ref.password, await (this.#dummyHash ??= this.hasher.hash('nimbus-timing-equaliser')));
        throw denied(`no user ${ref.name} in domain ${domainId}`);
      }
      id = found.id;
    }
    const user = await this.#enabledUser(id);
    const check = await this.managers.users.verifyPassword(user.id, ref.password);
    if (check === 'locked') {
      LOG.warning(`User ${user.id} is locked out after repeated failed passwords`);
      throw new Unauthorized(`The account is locked for user: ${user.id}.`);
    }
    if (check !== 'valid') throw denied(`wrong password for user ${user.id}`);
    return user;
  }

  async #scope(user: UserRef, scope: AuthRequest['auth']['scope']): Promise<TokenScope> {
    if (scope === undefined) return this.#defaultScope(user);
    if (scope === 'unscoped') return { kind: 'unscoped' };
    if (scope.project !== undefined && scope.domain !== undefined) {
      throw new BadRequest('Specifying both project and domain as scope is not allowed.');
    }
    if (scope.system !== undefined) {
      if (scope.project !== undefined || scope.domain !== undefined) throw new BadRequest(ONE_SCOPE);
      if (!scope.system.all) throw new BadRequest(`Expecting to find all in system. ${MALFORMED}`);
      if ((await this.managers.systemAssignments.effectiveRoles(user.id)).length === 0) throw denied(`user ${user.id} has no role on the system`);
      return { kind: 'system' };
    }
    if (scope.project !== undefined) return this.#projectScope(user, scope.project);
    if (scope.domain !== undefined) {
      const domainId = await this.#domainId(scope.domain, 'scope');
      await this.#requireRoles(user, { domainId });
      return { kind: 'domain', domainId };
    }
    return { kind: 'unscoped' };
  }

  async #projectScope(user: UserRef, ref: ProjectScopeRef): Promise<TokenScope> {
    let project;
    if (ref.id !== undefined) {
      project = await unlessNotFound(() => this.managers.projects.get(ref.id ?? ''));
    } else if (ref.name !== undefined) {
      project = await this.managers.projects.findByName(ref.name, await this.#domainId(ref.domain, 'project'));
    } else {
      throw new BadRequest('Invalid input for field scope/project: id or name must be present.');
    }
    if (project === undefined || !project.enabled) throw denied(`project ${ref.id ?? ref.name} missing or disabled`);
    await this.#requireRoles(user, { projectId: project.id });
    return { kind: 'project', projectId: project.id };
  }

  /** Keystone scopes a token without an explicit scope to the user's default project, if usable. */
  async #defaultScope(user: UserRef): Promise<TokenScope> {
    if (user.default_project_id === null) return { kind: 'unscoped' };
    const project = await unlessNotFound(() => this.managers.projects.get(user.default_project_id ?? ''));
    if (project === undefined || !project.enabled) return { kind: 'unscoped' };
    const roles = await this.managers.assignments.effectiveRoles(user.id, { projectId: project.id });
    return roles.length === 0 ? { kind: 'unscoped' } : { kind: 'project', projectId: project.id };
  }

  async #requireRoles(user: UserRef, scope: { projectId: string } | { domainId: string }): Promise<void> {
    const roles = await this.managers.assignments.effectiveRoles(user.id, scope);
    if (roles.length === 0) throw denied(`user ${user.id} has no role on ${JSON.stringify(scope)}`);
  }
}
