import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { AuthRequestSchema } from '../../auth/auth-request.js';
import type { Authenticator } from '../../auth/authenticate.js';
import type { LocalTokenValidator } from '../../auth/token-validator.js';
import { isScoped, renderToken, type TokenView } from '../../auth/token-view.js';
import type { TokenProvider } from '../../tokens/token-provider.js';
import { collectionLinks, queryFlag } from './links.js';
import { renderDomain, renderProject } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';

/** What the /v3/auth routes need besides the resource routes' dependencies. */
export interface AuthRouteDeps extends IdentityRouteDeps {
  readonly authenticator: Authenticator;
  readonly tokens: TokenProvider;
  readonly validator: LocalTokenValidator;
}

const LOG = getLogger('nimbus.identity.auth');

const NoCatalogQuery = Type.Object({ nocatalog: Type.Optional(Type.String()) }, { additionalProperties: true });

function subjectToken(request: FastifyRequest): string {
  const subject = request.headers['x-subject-token'];
  if (typeof subject !== 'string' || subject === '') throw new BadRequest('X-Subject-Token header is required.');
  return subject;
}

/**
 * Keystone's /v3/auth API: issue (POST, public), validate (GET), check (HEAD) and revoke
 * (DELETE) tokens, and what the caller's token gives access to (projects, domains, catalog).
 */
export function authTokenRoutes(deps: AuthRouteDeps): FastifyPluginAsyncTypebox {
  const catalogFor = (view: TokenView, nocatalog: string | undefined) =>
    queryFlag(nocatalog) === true || !isScoped(view)
      ? undefined
      : deps.managers.endpoints.tokenCatalog(view.project?.ref.id);

  /** The caller's own view (its token already passed the auth middleware). */
  const callerView = (request: FastifyRequest) => deps.validator.view(request.requestContext.authToken ?? '');

  const subjectView = async (request: FastifyRequest, action: string) => {
    const view = await deps.validator.view(subjectToken(request));
    // Keystone's enforcer puts the subject token under `target` (`%(target.token.user_id)s`).
    const token = { user_id: view.user.id, user: { domain: { id: view.userDomain.id } } };
    authorize(deps, request, action, { target: { token } });
    return view;
  };

  /**
   * A token limited by access rules is valid only to a validator that says it enforces them
   * (OpenStack-Identity-Access-Rules: 1.0 or later), so an older middleware cannot let it do anything.
   */
  const requireAccessRulesSupport = (request: FastifyRequest, view: TokenView): TokenView => {
    if ((view.applicationCredential?.access_rules.length ?? 0) === 0) return view;
    const support = Number(request.headers['openstack-identity-access-rules']);
    if (Number.isFinite(support) && support >= 1) return view;
    LOG.warning('Refusing to validate a token limited by access rules for a validator that does not send OpenStack-Identity-Access-Rules');
    throw new NotFound('Failed to validate token');
  };

  return async (app) => {
    app.post(
      '/v3/auth/tokens',
      { config: { public: true }, schema: { body: AuthRequestSchema, querystring: NoCatalogQuery } },
      async (request, reply) => {
        const issued = deps.tokens.issue(await deps.authenticator.authenticate(request.body));
        const view = await deps.validator.view(issued.token);
        const catalog = await catalogFor(view, request.query.nocatalog);
        return reply.code(201).header('x-subject-token', issued.token).header('vary', 'X-Auth-Token').send({ token: renderToken(view, catalog) });
      },
    );

    // HEAD is its own route: it checks identity:check_token and sends no body.
    app.get('/v3/auth/tokens', { exposeHeadRoute: false, schema: { querystring: NoCatalogQuery } }, async (request, reply) => {
      const view = requireAccessRulesSupport(request, await subjectView(request, 'identity:validate_token'));
      const catalog = await catalogFor(view, request.query.nocatalog);
      return reply.header('x-subject-token', view.token).header('vary', 'X-Auth-Token').send({ token: renderToken(view, catalog) });
    });

    app.head('/v3/auth/tokens', async (request, reply) => {
      const view = requireAccessRulesSupport(request, await subjectView(request, 'identity:check_token'));
      return reply.code(200).header('x-subject-token', view.token).send();
    });

    app.delete('/v3/auth/tokens', async (request, reply) => {
      const view = await subjectView(request, 'identity:revoke_token');
      await deps.tokens.revokeToken(view.payload);
      return reply.code(204).send();
    });

    app.get('/v3/auth/projects', async (request) => {
      const view = await callerView(request);
      const projects = await deps.managers.assignments.projectsForUser(view.user.id);
      return {
        projects: projects.filter((project) => project.enabled).map((project) => renderProject(deps.publicUrl, project)),
        links: collectionLinks(deps.publicUrl, request),
      };
    });

    app.get('/v3/auth/domains', async (request) => {
      const view = await callerView(request);
      const domains = await deps.managers.assignments.domainsForUser(view.user.id);
      return {
        domains: domains.filter((domain) => domain.enabled).map((domain) => renderDomain(deps.publicUrl, domain)),
        links: collectionLinks(deps.publicUrl, request),
      };
    });

    app.get('/v3/auth/catalog', async (request) => {
      const view = await callerView(request);
      const catalog = await catalogFor(view, undefined);
      if (catalog === undefined) throw new Forbidden('The service catalog is only available to scoped tokens.');
      return { catalog, links: collectionLinks(deps.publicUrl, request) };
    });
  };
}
