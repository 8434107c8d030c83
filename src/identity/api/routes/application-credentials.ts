import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound, unlessNotFound } from '../../../common/errors/errors.js';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import type { LocalTokenValidator } from '../../auth/token-validator.js';
import type { TokenView } from '../../auth/token-view.js';
import { expiryTime, type AccessRuleRequest, type ApplicationCredentialRef, type ExpiryTime } from '../../resources/application-credentials.js';
import { collectionLinks, v3Url } from './links.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { IdString, Name255, Nullable, OptionalString } from './schema-types.js';

/** The application credential routes read the caller's token: its roles, project and credential. */
export interface ApplicationCredentialRouteDeps extends IdentityRouteDeps {
  readonly validator: LocalTokenValidator;
}

/** A role by id or by name, exactly one of them (keystone/application_credential/schema.py). */
const RoleRef = Type.Object(
  { id: Type.Optional(IdString), name: Type.Optional(Name255) },
  { minProperties: 1, maxProperties: 1, additionalProperties: false },
);

/** keystone/application_credential/schema.py's access rule. */
const AccessRuleBody = Type.Object(
  {
    path: Type.Optional(Type.String({ maxLength: 225, pattern: '^\\/.*' })),
    method: Type.Optional(Type.String({ pattern: '^(POST|GET|HEAD|PATCH|PUT|DELETE)$' })),
    service: Type.Optional(IdString),
    id: Type.Optional(IdString),
  },
  { additionalProperties: false },
);

export const ApplicationCredentialCreateBody = Type.Object({
  application_credential: Type.Object(
    {
      name: Name255,
      description: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
      secret: Type.Optional(Nullable(Type.String())),
      expires_at: Type.Optional(Nullable(Type.String())),
      roles: Type.Optional(Type.Array(RoleRef)),
      unrestricted: Type.Optional(Type.Boolean()),
      access_rules: Type.Optional(Type.Array(AccessRuleBody)),
    },
    { additionalProperties: true },
  ),
});
const UserParams = Type.Object({ userId: Type.String() });
const CredentialParams = Type.Object({ userId: Type.String(), id: Type.String() });

/** Keystone's secret when the client sends none: 64 random bytes, base64url without padding. */
function generatedSecret(): string {
  return randomBytes(64).toString('base64url');
}

/** Keystone prints a credential's expiry without a zone, with microseconds: 2026-12-06T10:15:30.123456. */
function expiryText(time: ExpiryTime | null): string | null {
  return time === null ? null : time.slice(0, -1);
}

/** utils.parse_expiration_date: an ISO 8601 time (UTC when it names no zone) not in the past. */
export function parseExpiry(text: string | null | undefined, now: Date): ExpiryTime | null {
  if (text === undefined || text === null) return null;
  const time = expiryTime(text);
  if (time === undefined) throw new BadRequest(`Invalid input for field 'expires_at': '${text}' is not a valid time.`);
  if (new Date(time).getTime() <= now.getTime()) throw new BadRequest("The 'expires_at' must not be before now.");
  return time;
}

/**
 * Keystone's /v3/users/{user_id}/application_credentials: create (with the caller's token,
 * for its own user and project), list, show and delete. The secret is shown once, on create.
 * A token of a restricted application credential may not create or delete credentials.
 */
export function applicationCredentialRoutes(deps: ApplicationCredentialRouteDeps): FastifyPluginAsyncTypebox {
  const { applicationCredentials, roles } = deps.managers;
  const collectionPath = (userId: string) => `/users/${userId}/application_credentials`;
  const render = (ref: ApplicationCredentialRef): Record<string, unknown> => ({
    id: ref.id,
    name: ref.name,
    description: ref.description,
    project_id: ref.project_id,
    expires_at: expiryText(ref.expires_at),
    unrestricted: ref.unrestricted,
    roles: ref.roles,
    access_rules: ref.access_rules,
    links: { self: v3Url(deps.publicUrl, `${collectionPath(ref.user_id)}/${ref.id}`) },
  });
  /** The caller's token, its roles read now: Keystone lets a role granted a moment ago go into a credential. */
  const callerView = (request: FastifyRequest) => deps.validator.view(request.requestContext.authToken ?? '', { fresh: true });
  /** _check_unrestricted_application_credential. */
  const requireUnrestricted = (view: TokenView) => {
    if (view.applicationCredential !== undefined && !view.applicationCredential.unrestricted) {
      throw new Forbidden(
        "You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing additional application credentials.",
      );
    }
  };
  /** Keystone's target is the credential's own user, not the path's (so a path cannot borrow ownership). */
  const credentialTarget = async (userId: string, id: string): Promise<{ target: PolicyTarget; credential?: ApplicationCredentialRef }> => {
    const credential = await unlessNotFound(() => applicationCredentials.get(id));
    return { target: { user_id: credential?.user_id ?? userId }, ...(credential === undefined ? {} : { credential }) };
  };
  const owned = (userId: string, id: string, credential: ApplicationCredentialRef | undefined): ApplicationCredentialRef => {
    if (credential === undefined || credential.user_id !== userId) throw new NotFound(`Could not find Application Credential: ${id}.`);
    return credential;
  };
  /**
   * A rule the client asked for: one of the user's rules by id (what it allows may be left out), or
   * a new rule, whose id is made up here as Keystone does (the store keeps an identical rule's).
   */
  const accessRuleRequest = async (userId: string, rule: Static<typeof AccessRuleBody>): Promise<AccessRuleRequest> => {
    const { service, path, method } = rule;
    if (service !== undefined && path !== undefined && method !== undefined) return { id: rule.id ?? randomUUID().replaceAll('-', ''), service, path, method };
    if (rule.id === undefined) throw new BadRequest("Invalid input for field 'access_rules': a new access rule needs a service, a path and a method.");
    return applicationCredentials.getAccessRule(userId, rule.id);
  };
  /** The roles asked for, by id or unique global name; each must be in the caller's token. */
  const requestedRoleIds = async (asked: readonly { id?: string; name?: string }[] | undefined, view: TokenView): Promise<string[]> => {
    if (asked === undefined || asked.length === 0) return view.roles.map((role) => role.id);
    const ids: string[] = [];
    for (const ref of asked) {
      if (ref.id !== undefined) {
        ids.push(ref.id);
        continue;
      }
      const [role] = await roles.list({ name: ref.name ?? '' });
      if (role === undefined) throw new NotFound(`Could not find role: ${ref.name ?? ''}.`);
      ids.push(role.id);
    }
    const inToken = new Set(view.roles.map((role) => role.id));
    if (ids.some((id) => !inToken.has(id))) {
      throw new BadRequest('Invalid application credential: Cannot create an application credential with unassigned role');
    }
    return ids;
  };

  return async (app) => {
    app.get('/v3/users/:userId/application_credentials', { schema: { params: UserParams, querystring: Type.Object({ name: OptionalString }) } }, async (request) => {
      authorize(deps, request, 'identity:list_application_credentials', { ...request.query, user_id: request.params.userId });
      const refs = await applicationCredentials.list(request.params.userId, { name: request.query.name });
      return { application_credentials: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/users/:userId/application_credentials', { schema: { params: UserParams, body: ApplicationCredentialCreateBody } }, async (request, reply) => {
      const { userId } = request.params;
      authorize(deps, request, 'identity:create_application_credential', { user_id: userId });
      const view = await callerView(request);
      requireUnrestricted(view);
      if (view.user.id !== userId) {
        throw new Forbidden('You are not authorized to perform the requested action: Cannot create an application credential for another user.');
      }
      if (view.project === undefined) throw new BadRequest('Invalid application credential: An application credential needs a project-scoped token.');
      const body = request.body.application_credential;
      const secret = body.secret ?? generatedSecret();
      const ref = await applicationCredentials.create({
        userId,
        projectId: view.project.ref.id,
        name: body.name,
        description: body.description ?? null,
        secret,
        expiresAt: parseExpiry(body.expires_at, new Date()),
        unrestricted: body.unrestricted ?? false,
        roleIds: await requestedRoleIds(body.roles, view),
        accessRules: await Promise.all((body.access_rules ?? []).map((rule) => accessRuleRequest(userId, rule))),
      });
      return reply.code(201).send({ application_credential: { ...render(ref), secret } });
    });

    app.get('/v3/users/:userId/application_credentials/:id', { schema: { params: CredentialParams } }, async (request) => {
      const { userId, id } = request.params;
      const { target, credential } = await credentialTarget(userId, id);
      authorize(deps, request, 'identity:get_application_credential', target);
      return { application_credential: render(owned(userId, id, credential)) };
    });

    app.delete('/v3/users/:userId/application_credentials/:id', { schema: { params: CredentialParams } }, async (request, reply) => {
      const { userId, id } = request.params;
      const { target, credential } = await credentialTarget(userId, id);
      authorize(deps, request, 'identity:delete_application_credential', target);
      requireUnrestricted(await callerView(request));
      await applicationCredentials.delete(owned(userId, id, credential).id);
      return reply.code(204).send();
    });
  };
}
