import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RequestContext } from '../context/request-context.js';
import { NimbusError, Unauthorized } from '../errors/errors.js';
import { enterRequestContext } from '../http/request-id.js';
import { getLogger } from '../logging/logger.js';
import { allowedByAccessRules } from './access-rules.js';
import type { AccessRuleGrant, AuthenticatedToken, TokenValidator } from './token-validator.js';

const LOG = getLogger('nimbus.common.auth');

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a token (version documents, POST /v3/auth/tokens). */
    readonly public?: boolean;
  }
}

export interface AuthTokenOptions {
  readonly validator: TokenValidator;
  /** Where clients authenticate, sent in WWW-Authenticate on a 401. */
  readonly identityUri: () => string;
  /**
   * The catalog's types of the service behind this middleware (keystonemiddleware's
   * `service_type`): a token limited by access rules may call only what a rule of one of them
   * allows; without them, such a token is refused.
   */
  readonly serviceTypes?: readonly string[];
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function withToken(context: RequestContext, token: AuthenticatedToken, authToken: string): RequestContext {
  return {
    ...context,
    userId: token.userId,
    userName: token.userName,
    userDomainId: token.userDomainId,
    projectId: token.projectId,
    projectName: token.projectName,
    projectDomainId: token.projectDomainId,
    domainId: token.domainId,
    roles: token.roles,
    isAdmin: token.roles.includes('admin'),
    authToken,
  };
}

/**
 * keystonemiddleware's auth_token for one service scope: every route not marked `public`
 * needs a valid X-Auth-Token; the token's user, scope and roles then fill the request context,
 * so policy checks and every log line of the request see who is asking. An X-Service-Token, when
 * sent, must be valid too and its roles are kept apart.
 */
export function addAuthToken(scope: FastifyInstance, options: AuthTokenOptions): void {
  const unauthorized = (message?: string) =>
    new Unauthorized(message, { headers: { 'www-authenticate': `Keystone uri="${options.identityUri()}"` } });

  const validate = async (token: string) => {
    try {
      return await options.validator.validate(token);
    } catch (error) {
      if (error instanceof NimbusError && error.status === 401) throw unauthorized(error.message);
      throw error;
    }
  };

  /** The path below the service's endpoint, as a rule names it (`/v2.1/servers`, not `/compute/v2.1/servers`). */
  const allowedCall = (rules: readonly AccessRuleGrant[], request: FastifyRequest): boolean => {
    const path = (request.url.split('?')[0] ?? '').slice(scope.prefix.length);
    // Any token may be validated, whatever it is limited to.
    if (options.serviceTypes?.includes('identity') === true && request.method === 'GET' && path.endsWith('/v3/auth/tokens')) return true;
    return allowedByAccessRules(rules, options.serviceTypes ?? [], request.method, path);
  };

  scope.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.public === true) {
      done();
      return;
    }
    const authToken = headerValue(request, 'x-auth-token');
    if (authToken === undefined) {
      LOG.debug('Rejecting request without X-Auth-Token');
      done(unauthorized());
      return;
    }
    const serviceToken = headerValue(request, 'x-service-token');
    Promise.all([validate(authToken), serviceToken === undefined ? undefined : validate(serviceToken)]).then(
      ([user, service]) => {
        // A service token marks a chain of calls made for the user, not one the user made.
        if (user.accessRules !== undefined && service === undefined && !allowedCall(user.accessRules, request)) {
          LOG.info(`Refusing ${request.method} ${request.url.split('?')[0] ?? ''}: the application credential's access rules do not allow it`);
          done(unauthorized('Token authorization failed'));
          return;
        }
        const context = withToken(request.requestContext, user, authToken);
        enterRequestContext(request, service === undefined ? context : { ...context, serviceRoles: service.roles }, done);
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  });
}

/** A service's routes behind the auth middleware: the plugins are registered in order, each encapsulated. */
export function authenticated(options: AuthTokenOptions, ...plugins: readonly FastifyPluginAsync[]): FastifyPluginAsync {
  return async (scope) => {
    addAuthToken(scope, options);
    for (const plugin of plugins) await scope.register(plugin);
  };
}
