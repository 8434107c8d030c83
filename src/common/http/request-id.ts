import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isRequestId, newRequestId, runWithContext, type RequestContext } from '../context/request-context.js';

const REQUEST_ID_HEADER = 'x-openstack-request-id';
const kContext = Symbol('nimbus.requestContext');

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking under which request id; the same object log lines read from AsyncLocalStorage. */
    readonly requestContext: RequestContext;
    [kContext]: RequestContext | null;
  }
}

/**
 * A fresh local id for every request. A caller's X-OpenStack-Request-ID becomes the global id
 * (oslo's global_request_id) when it is well formed, and is ignored otherwise: a caller never
 * chooses our local id.
 */
function contextFor(request: FastifyRequest): RequestContext {
  const requestId = newRequestId();
  const incoming = request.headers[REQUEST_ID_HEADER];
  return isRequestId(incoming) ? { requestId, globalRequestId: incoming } : { requestId };
}

/**
 * Makes `context` the request's context from here on, for `request.requestContext` and for
 * AsyncLocalStorage while the rest of the lifecycle runs inside `done` (an auth hook that learns
 * the user calls this with the enriched context).
 */
export function enterRequestContext(
  request: FastifyRequest,
  context: RequestContext,
  done: HookHandlerDoneFunction,
): void {
  request[kContext] = context;
  runWithContext(context, done);
}

/**
 * The request's context, created on first use. Reads the backing field directly because requests
 * Fastify rejects before routing (bad URLs) are built without the request decorations.
 */
export function requestContextOf(request: FastifyRequest): RequestContext {
  return (request[kContext] ??= contextFor(request));
}

/** Puts the request's id in X-OpenStack-Request-ID (also for requests rejected before any hook runs). */
export function answerRequestId(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header(REQUEST_ID_HEADER, requestContextOf(request).requestId);
}

/**
 * Root hook: create the context, answer X-OpenStack-Request-ID on every response, and run the
 * rest of the lifecycle inside the context (callback-style, as @fastify/request-context does).
 * Fastify carries the async context across body parsing itself (an AsyncResource around the
 * content-type parser), so handlers keep it even when the body arrives in later packets.
 */
export function addRequestContext(app: FastifyInstance): void {
  app.decorateRequest(kContext, null);
  app.decorateRequest('requestContext', {
    getter(this: FastifyRequest): RequestContext {
      return requestContextOf(this);
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    answerRequestId(request, reply);
    enterRequestContext(request, request.requestContext, done);
  });
}

/** Service hook: repeat the request id in the service's own headers (Nova's x-compute-request-id). */
export function addRequestIdHeaders(scope: FastifyInstance, headers: readonly string[]): void {
  scope.addHook('onRequest', (request, reply, done) => {
    for (const header of headers) void reply.header(header, request.requestContext.requestId);
    done();
  });
}
