import FindMyWay from 'find-my-way';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MethodNotAllowed, NotFound } from '../errors/errors.js';

/**
 * Which methods exist for a path. Fastify answers a wrong method with 404, so every route is
 * also recorded here (fed by an onRoute hook), and the not-found handler asks this index whether
 * the path exists under other methods: then it is a 405 with `Allow`, as webob routes answer.
 */
export class RouteMethodIndex {
  private readonly routes: { readonly method: FindMyWay.HTTPMethod; readonly url: string }[] = [];
  private index: { readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>; readonly methods: FindMyWay.HTTPMethod[] } | undefined;

  add(method: string, url: string): void {
    // Fastify only accepts methods its router (find-my-way) knows.
    this.routes.push({ method: method.toUpperCase() as FindMyWay.HTTPMethod, url });
    this.index = undefined;
  }

  /** Methods registered for `url` (its query string ignored), in registration order. */
  allowedMethods(url: string): string[] {
    const { router, methods } = this.built();
    const path = url.split('?', 1)[0] ?? url;
    return methods.filter((method) => router.find(method, path) !== null);
  }

  /** The router, built at the first lookup rather than route by route as the app starts. */
  private built() {
    if (this.index !== undefined) return this.index;
    // Same matching rules as Fastify's default router: case-sensitive, trailing slash significant.
    const router = FindMyWay();
    const methods = new Set<FindMyWay.HTTPMethod>();
    for (const { method, url } of this.routes) {
      if (router.hasRoute(method, url)) continue;
      router.on(method, url, () => undefined);
      methods.add(method);
    }
    this.index = { router, methods: [...methods] };
    return this.index;
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
