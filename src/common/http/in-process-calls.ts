/**
 * Calls from one service to another that this process itself serves — the all-in-one node's
 * compute creating ports on its network API, network telling compute of port events, the service
 * user's token from identity — go through the node's HTTP app in the process (Fastify's inject):
 * the same routes, auth, validation, logs and faults, without a loopback connection per call in
 * flight. Over HTTP, 50 clients booting servers held ~460 such connections open, and their
 * accept, parse and close work delayed every outside client. A URL this process does not serve
 * (a scaled-out service in another process) still goes over HTTP.
 *
 * Every client reaches other services through fetchService (remote-fault.ts), which asks here
 * first; the composition root (cli/runtime/cloud-node.ts) registers what its listener serves.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/** Fastify's inject of the app that serves the registered bases. */
export type Inject = (request: InjectOptions) => Promise<LightMyRequestResponse>;

interface ServedBase {
  /** `http://host:port/network`, without a trailing slash. */
  readonly base: string;
  readonly inject: Inject;
}

/** A process-wide table: the clients are built before the listener knows its port, and many nodes may share a process (tests). */
const served: ServedBase[] = [];

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Serves calls to URLs under `bases` (each a service's public base, e.g. `http://host:port/network`)
 * through `inject` until the returned function is called (when the node stops).
 */
export function serveInProcess(bases: readonly string[], inject: Inject): () => void {
  const entries = bases.map((base) => ({ base: base.replace(/\/+$/, ''), inject }));
  served.push(...entries);
  return () => {
    for (const entry of entries) served.splice(served.indexOf(entry), 1);
  };
}

function servedBaseOf(url: string): ServedBase | undefined {
  return served.find(({ base }) => url.startsWith(base) && ['/', '?', undefined].includes(url[base.length]));
}

function responseHeaders(reply: LightMyRequestResponse): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(reply.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item));
  }
  return headers;
}

/**
 * `url`'s answer from a service of this process, or undefined when none here serves it (or the
 * body is a stream, which the caller sends over HTTP rather than buffer here).
 */
export async function callInProcess(url: string, init: RequestInit): Promise<Response | undefined> {
  const target = servedBaseOf(url);
  const body = init.body ?? undefined;
  if (target === undefined || (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))) return undefined;
  const parsed = new URL(url);
  const method = (init.method ?? 'GET').toUpperCase();
  const reply = await target.inject({
    method: method as InjectOptions['method'] & string,
    url: `${parsed.pathname}${parsed.search}`,
    headers: { ...Object.fromEntries(new Headers(init.headers)), host: parsed.host },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : Buffer.from(body) }),
  });
  const noBody = NULL_BODY_STATUSES.has(reply.statusCode) || method === 'HEAD';
  return new Response(noBody ? null : reply.rawPayload, { status: reply.statusCode, statusText: reply.statusMessage, headers: responseHeaders(reply) });
}
