import type { FastifyInstance } from 'fastify';
import type { RequestTrace } from './request-trace.js';

/** What the timeline names a request by: its method and route, and for a server action its key (`POST /servers/{server_id}/action pause`). */
function stepName(method: string, route: string, body: unknown): string {
  const path = route.replace(/:([a-z_]+)/g, '{$1}');
  const action = route.endsWith('/action') && typeof body === 'object' && body !== null ? ` ${Object.keys(body)[0] ?? ''}` : '';
  return `${method} ${path}${action}`;
}

/** Methods that change a server; reads take no further step, so they have no timeline. */
const CHANGES = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The API's step of every accepted request that changes a server (nova-api in the timeline): from
 * its arrival to its answer, with the status. A refused request is not traced: bad input changes
 * nothing, not even the trace.
 */
export function traceServerRequests(app: FastifyInstance, trace: RequestTrace, host: string): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route as the plugin sees it, after the service's prefix and the API version.
    const route = /\/v2\.1(\/servers.*)$/.exec(request.routeOptions.url ?? '')?.[1];
    if (!CHANGES.has(request.method) || route === undefined || reply.statusCode >= 400) return;
    const finish = new Date();
    const serverId = (request.params as { server_id?: string } | undefined)?.server_id ?? null;
    await trace.record({
      service: 'nova-api',
      host,
      step: stepName(request.method, route, request.body),
      instanceUuid: serverId,
      start: new Date(finish.getTime() - reply.elapsedTime),
      finish,
      ok: true,
      details: `HTTP ${reply.statusCode}`,
    }, request.requestContext.requestId);
  });
}
