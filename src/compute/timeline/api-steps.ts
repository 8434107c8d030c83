import type { FastifyInstance } from 'fastify';
import type { RequestTrace } from './request-trace.js';

/** What the timeline names a request by: its method and route, and for a server action its key (`POST /servers/{server_id}/action pause`). */
function stepName(method: string, route: string, body: unknown): string {
  const path = route.replace(/:([a-z_]+)/g, '{$1}');
  const action = route.endsWith('/action') && typeof body === 'object' && body !== null ? ` ${Object.keys(body)[0] ?? ''}` : '';
  return `${method} ${path}${action}`;
}

/**
 * The API's step of every request that changes a server (nova-api in the timeline): from its
 * arrival to its answer, with the status. Reads are not traced: they take no further step.
 */
export function traceServerRequests(app: FastifyInstance, trace: RequestTrace, host: string): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route as the plugin sees it, after the service's prefix and the API version.
    const route = /\/v2\.1(\/servers.*)$/.exec(request.routeOptions.url ?? '')?.[1];
    if (request.method === 'GET' || route === undefined) return;
    const finish = new Date();
    const serverId = (request.params as { server_id?: string } | undefined)?.server_id ?? null;
    await trace.record({
      service: 'nova-api',
      host,
      step: stepName(request.method, route, request.body),
      instanceUuid: serverId,
      start: new Date(finish.getTime() - reply.elapsedTime),
      finish,
      ok: reply.statusCode < 400,
      details: `HTTP ${reply.statusCode}`,
    }, request.requestContext.requestId);
  });
}
