import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Forbidden, NotFound } from '../../../common/errors/errors.js';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import type { LocalTokenValidator } from '../../auth/token-validator.js';
import type { TrustRef } from '../../resources/trusts.js';
import { parseExpiry } from './application-credentials.js';
import { collectionLinks, v3Url } from './links.js';
import { renderRole } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { IdString, Name255, Nullable, OptionalString } from './schema-types.js';

/** The trust routes read the caller's token: a delegated one may not manage trusts. */
export interface TrustRouteDeps extends IdentityRouteDeps {
  readonly validator: LocalTokenValidator;
}

/** keystone/trust/schema.py trust_create. */
export const TrustCreateBody = Type.Object({
  trust: Type.Object(
    {
      trustor_user_id: Type.String({ minLength: 1, maxLength: 64 }),
      trustee_user_id: Type.String({ minLength: 1, maxLength: 64 }),
      impersonation: Type.Boolean(),
      project_id: Type.Optional(Nullable(IdString)),
      remaining_uses: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
      expires_at: Type.Optional(Nullable(Type.String())),
      allow_redelegation: Type.Optional(Nullable(Type.Boolean())),
      redelegation_count: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
      roles: Type.Optional(
        Type.Array(Type.Object({ id: Type.Optional(IdString), name: Type.Optional(Name255) }, { minProperties: 1, maxProperties: 1, additionalProperties: false })),
      ),
    },
    { additionalProperties: true },
  ),
});
const TrustParams = Type.Object({ trustId: Type.String() });
const TrustRoleParams = Type.Object({ trustId: Type.String(), roleId: Type.String() });
const TrustListQuery = Type.Object({ trustor_user_id: OptionalString, trustee_user_id: OptionalString });

const DELEGATED = 'You are not authorized to perform the requested action: Delegated tokens cannot manage trusts.';

/**
 * Keystone's /v3/OS-TRUST/trusts: a trustor (the caller) delegates roles they hold on a project
 * to a trustee, who then gets tokens scoped to the trust. Create, list (all for an
 * administrator, else by trustor or trustee), show, delete, and the delegated roles. A trust
 * that does not exist (or has expired or been used up) is a 404 before any policy check, as in
 * Keystone (lp#1840288).
 */
export function trustRoutes(deps: TrustRouteDeps): FastifyPluginAsyncTypebox {
  const { trusts } = deps.managers;
  const trustUrl = (id: string) => v3Url(deps.publicUrl, `/OS-TRUST/trusts/${id}`);
  /** A trust as Keystone's list shows it: no roles. */
  const summary = (ref: TrustRef): Record<string, unknown> => ({
    id: ref.id,
    trustor_user_id: ref.trustor_user_id,
    trustee_user_id: ref.trustee_user_id,
    project_id: ref.project_id,
    impersonation: ref.impersonation,
    expires_at: ref.expires_at,
    remaining_uses: ref.remaining_uses,
    redelegation_count: ref.redelegation_count,
    redelegated_trust_id: null,
    deleted_at: null,
    links: { self: trustUrl(ref.id) },
  });
  const rolesLinks = (ref: TrustRef) => ({ self: `${trustUrl(ref.id)}/roles`, previous: null, next: null });
  const render = (ref: TrustRef): Record<string, unknown> => ({
    ...summary(ref),
    roles: ref.roles.map((role) => renderRole(deps.publicUrl, role)),
    roles_links: rolesLinks(ref),
  });
  /** _check_delegated_token: a token of an application credential may not manage trusts. */
  const requireUndelegated = async (request: FastifyRequest) => {
    const view = await deps.validator.view(request.requestContext.authToken ?? '');
    if (view.applicationCredential !== undefined) throw new Forbidden(DELEGATED);
    return view;
  };
  /** The trust (404 when there is none) and its policy target. */
  const trustTarget = async (id: string): Promise<{ trust: TrustRef; target: PolicyTarget }> => {
    const trust = await trusts.get(id);
    return { trust, target: { target: { trust: { trustor_user_id: trust.trustor_user_id, trustee_user_id: trust.trustee_user_id } } } };
  };
  const authorizedTrust = async (request: FastifyRequest, action: string, id: string): Promise<TrustRef> => {
    const { trust, target } = await trustTarget(id);
    authorize(deps, request, action, target);
    await requireUndelegated(request);
    return trust;
  };

  return async (app) => {
    const list = async (request: FastifyRequest<{ Querystring: Static<typeof TrustListQuery> }>) => {
      const { trustor_user_id: trustor, trustee_user_id: trustee } = request.query;
      if (trustor !== undefined && trustor !== '') {
        authorize(deps, request, 'identity:list_trusts_for_trustor', { target: { trust: { trustor_user_id: trustor } } });
      } else if (trustee !== undefined && trustee !== '') {
        authorize(deps, request, 'identity:list_trusts_for_trustee', { target: { trust: { trustee_user_id: trustee } } });
      } else {
        authorize(deps, request, 'identity:list_trusts');
      }
      await requireUndelegated(request);
      const refs = await trusts.list({
        ...(trustor === undefined || trustor === '' ? {} : { trustorUserId: trustor }),
        ...(trustee === undefined || trustee === '' || (trustor !== undefined && trustor !== '') ? {} : { trusteeUserId: trustee }),
      });
      return { trusts: refs.map(summary), links: collectionLinks(deps.publicUrl, request) };
    };
    app.get('/v3/OS-TRUST/trusts', { schema: { querystring: TrustListQuery } }, list);
    // Tempest's client lists at `OS-TRUST/trusts/`.
    app.get('/v3/OS-TRUST/trusts/', { schema: { querystring: TrustListQuery } }, list);

    app.post('/v3/OS-TRUST/trusts', { schema: { body: TrustCreateBody } }, async (request, reply) => {
      const body = request.body.trust;
      authorize(deps, request, 'identity:create_trust', { target: { trust: { trustor_user_id: body.trustor_user_id } } });
      const view = await requireUndelegated(request);
      if (view.trust !== undefined) throw new Forbidden(`${DELEGATED} Redelegation is not supported by this cloud.`);
      const projectId = body.project_id ?? null;
      if (projectId !== null && (body.roles === undefined || body.roles.length === 0)) {
        throw new Forbidden('You are not authorized to perform the requested action: At least one role should be specified.');
      }
      if (view.user.id !== body.trustor_user_id) {
        throw new Forbidden('You are not authorized to perform the requested action: The authenticated user should match the trustor.');
      }
      const ref = await trusts.create({
        trustorUserId: body.trustor_user_id,
        trusteeUserId: body.trustee_user_id,
        projectId,
        impersonation: body.impersonation,
        roles: body.roles ?? [],
        expiresAt: parseExpiry(body.expires_at, new Date()),
        remainingUses: body.remaining_uses ?? null,
        allowRedelegation: body.allow_redelegation ?? false,
        redelegationCount: body.redelegation_count ?? null,
      });
      return reply.code(201).send({ trust: render(ref) });
    });

    app.get('/v3/OS-TRUST/trusts/:trustId', { schema: { params: TrustParams } }, async (request) => {
      return { trust: render(await authorizedTrust(request, 'identity:get_trust', request.params.trustId)) };
    });

    app.delete('/v3/OS-TRUST/trusts/:trustId', { schema: { params: TrustParams } }, async (request, reply) => {
      const trust = await authorizedTrust(request, 'identity:delete_trust', request.params.trustId);
      await trusts.delete(trust.id);
      return reply.code(204).send();
    });

    app.get('/v3/OS-TRUST/trusts/:trustId/roles', { schema: { params: TrustParams } }, async (request) => {
      const trust = await authorizedTrust(request, 'identity:list_roles_for_trust', request.params.trustId);
      return { roles: trust.roles.map((role) => renderRole(deps.publicUrl, role)), links: rolesLinks(trust) };
    });

    // HEAD is its own route: it answers without a body.
    app.get('/v3/OS-TRUST/trusts/:trustId/roles/:roleId', { exposeHeadRoute: false, schema: { params: TrustRoleParams } }, async (request) => {
      const trust = await authorizedTrust(request, 'identity:get_role_for_trust', request.params.trustId);
      return { role: renderRole(deps.publicUrl, delegatedRole(trust, request.params.roleId)) };
    });

    app.head('/v3/OS-TRUST/trusts/:trustId/roles/:roleId', { schema: { params: TrustRoleParams } }, async (request, reply) => {
      const trust = await authorizedTrust(request, 'identity:get_role_for_trust', request.params.trustId);
      delegatedRole(trust, request.params.roleId);
      return reply.code(200).send();
    });
  };
}

function delegatedRole(trust: TrustRef, roleId: string) {
  const role = trust.roles.find((candidate) => candidate.id === roleId);
  if (role === undefined) throw new NotFound(`Could not find role: ${roleId}.`);
  return role;
}
