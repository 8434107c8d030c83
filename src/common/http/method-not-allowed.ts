import FindMyWay from 'find-my-way';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MethodNotAllowed, NotFound } from '../errors/errors.js';

/**
 * Which methods exist for a path. Fastify answers a wrong method with 404, so every route is
 * also recorded here (fed by an onRoute hook), and the not-found handler asks this index whether
 * the path exists under other methods: then it is a 405 with `Allow`, as webob routes answer.
 */
export class RouteMethodIndex {
  // Same matching rules as Fastify's default router: case-sensitive, trailing slash significant.
  private readonly router = FindMyWay();
  private readonly methods = new Set<FindMyWay.HTTPMethod>();

  add(method: string, url: string): void {
    // Fastify only accepts methods its router (find-my-way) knows.
    const known = method.toUpperCase() as FindMyWay.HTTPMethod;
    if (this.router.hasRoute(known, url)) return;
    this.router.on(known, url, () => undefined);
    this.methods.add(known);
  }

  /** Methods registered for `url` (its query string ignored), in registration order. */
  allowedMethods(url: string): string[] {
    const path = url.split('?', 1)[0] ?? url;
    return [...this.methods].filter((method) => this.router.find(method, path) !== null);
  }
}

/** Records every route the app (and each plugin inside it) registers; call before registering any. */
export function indexRouteMethods(app: FastifyInstance): RouteMethodIndex {
  const index = new RouteMethodIndex();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // A plugin's '/' route also answers at `prefix/` (prefixTrailingSlash 'both'), without an onRoute call.
    const bothSlashes = route.routePath === '' && (route.prefixTrailingSlash ?? 'both') === 'both';
    for (const method of methods) {
      index.add(method, route.url);
      if (bothSlashes) index.add(method, `${route.url}/`);
    }
  });
  return index;
}

/** The not-found handler: a known path with another method is 405, anything else 404. */
export function notFoundHandler(index: RouteMethodIndex) {
  return (request: FastifyRequest): Promise<never> => {
    const allowed = index.allowedMethods(request.url);
    return Promise.reject(allowed.length > 0 ? new MethodNotAllowed(request.method, allowed) : new NotFound());
  };
}
