import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { addAccessLog } from './access-log.js';
import type { ApiService, FaultFormat } from './api-service.js';
import { faultHandler } from './error-handler.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { indexRouteMethods, notFoundHandler, type RouteMethodIndex } from './method-not-allowed.js';
import { refuseNulCharacters } from './nul-guard.js';
import { addMicroversionNegotiation, decorateMicroversion, microversionBounds } from './microversion-negotiation.js';
import { addRequestContext, addRequestIdHeaders, answerRequestId } from './request-id.js';
import { compileValidator, schemaErrorFormatter } from './validation.js';
import type { WebSite } from './web-site.js';

export interface HttpAppOptions {
  /** The service APIs this listener hosts, each under its own prefix. */
  readonly services: readonly ApiService[];
  /** Browser pages hosted beside the APIs (the dashboard); the `home` one answers the root `/`. */
  readonly sites?: readonly WebSite[];
  /** Largest request body accepted (bigger ones are 413, whatever Content-Length claims). */
  readonly maxBodyBytes: number;
}

/**
 * The longest path segment routed (decoded characters). Fastify's 100 is shorter than the names
 * OpenStack puts in paths (Glance tags, Nova key pairs: 255 characters); longer ones are 414.
 */
const MAX_PATH_SEGMENT = 1024;

/** Outside every service prefix errors use Keystone's generic `{"error": {…}}` body. */
const ROOT_FAULT_FORMAT: FaultFormat = 'keystone';

/** Configuration mistakes fail here, when the app is built, not on the first request. */
function checkServices(services: readonly ApiService[]): void {
  const seen = new Set<string>();
  for (const { name, prefix, microversions } of services) {
    if (!/^\/[^/]/.test(prefix) || prefix.endsWith('/')) {
      throw new Error(`Service ${name}: prefix '${prefix}' must start with one slash and not end with one`);
    }
    if (seen.has(prefix)) throw new Error(`Service ${name}: prefix '${prefix}' is already taken`);
    seen.add(prefix);
    if (microversions) microversionBounds(microversions);
  }
}

/** The fault format of the service whose prefix `url` is under, else the generic one. */
function faultFormatFor(services: readonly ApiService[], url: string): FaultFormat {
  const service = services.find(({ prefix }) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`));
  return service?.faultFormat ?? ROOT_FAULT_FORMAT;
}

/** Errors and unknown paths of `scope` answered in `format`. */
function useFaultFormat(scope: FastifyInstance, format: FaultFormat, routes: RouteMethodIndex): void {
  scope.setErrorHandler(faultHandler(format));
  scope.setNotFoundHandler(notFoundHandler(routes));
}

/** One service as an encapsulated plugin: its faults, request-id headers and microversions stay inside. */
function registerService(app: FastifyInstance, service: ApiService, routes: RouteMethodIndex): void {
  void app.register(
    async (scope) => {
      useFaultFormat(scope, service.faultFormat, routes);
      if (service.requestIdHeaders) addRequestIdHeaders(scope, service.requestIdHeaders);
      if (service.microversions) addMicroversionNegotiation(scope, service.microversions);
      await scope.register(service.routes);
    },
    { prefix: service.prefix },
  );
}

/** A site's pages under its prefix; its bare prefix and, for the home site, `/` redirect to `prefix/`. */
function registerSite(app: FastifyInstance, site: WebSite): void {
  void app.register(site.routes, { prefix: site.prefix });
  app.get(site.prefix, async (_request, reply) => reply.redirect(`${site.prefix}/`));
  if (site.home === true) app.get('/', async (_request, reply) => reply.redirect(`${site.prefix}/`));
}

/** Upgrade requests go to the site whose prefix holds the path; any other is refused with a 404 and closed. */
function routeUpgrades(app: FastifyInstance, sites: readonly WebSite[]): void {
  const upgrading = sites.filter((site) => site.upgrade !== undefined);
  if (upgrading.length === 0) return;
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const site = upgrading.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
    if (site?.upgrade === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    site.upgrade(request, socket, head);
  });
}

/**
 * The HTTP listener's application, not yet listening (the caller listens, tests `inject()`).
 * Fastify's logger is off: requests are logged once each by the access log, in OpenStack's format.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  checkServices(options.services);
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    schemaErrorFormatter,
    // Requests the router rejects (a malformed URL) run no hooks: answer them like the rest.
    frameworkErrors: (error, request, reply) => {
      answerRequestId(request, reply);
      faultHandler(faultFormatFor(options.services, request.url))(error, request, reply);
    },
  });
  app.setValidatorCompiler(compileValidator);
  acceptEmptyJsonBodies(app);
  refuseNulCharacters(app);
  addRequestContext(app);
  decorateMicroversion(app);
  addAccessLog(app);
  const routes = indexRouteMethods(app);
  useFaultFormat(app, ROOT_FAULT_FORMAT, routes);
  for (const service of options.services) registerService(app, service, routes);
  for (const site of options.sites ?? []) registerSite(app, site);
  routeUpgrades(app, options.sites ?? []);
  return app;
}
