/**
 * The hostile-input suite's runner: every route a service app registers (read from Fastify's
 * onRoute, so a new route is covered without a list to update) gets its generated hostile
 * requests; each answer must be below 500, an error must be in the service's fault format, a
 * request the route's own schema refuses must get a 4xx, and no table may change.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/common/db/database.js';
import type { FaultFormat } from '../../src/common/http/api-service.js';
import { faultBody } from '../../src/common/http/faults.js';
import { hostileCases, type HostileCase, type KnownIds, type RouteShape } from './hostile-input.js';
import { changedTables, dumpTables } from './table-dump.js';

export interface HostileTarget {
  readonly app: FastifyInstance;
  /** Every database the app writes to. */
  readonly dbs: readonly Database[];
  readonly format: FaultFormat;
  /** Headers of every request: who asks (an administrator, so requests get past policy to validation). */
  readonly headers: Readonly<Record<string, string>>;
  /** More headers for one case (a content type, a microversion). */
  readonly headersFor?: (route: RouteShape, index: number) => Readonly<Record<string, string>>;
  readonly casesPerRoute: number;
  /** Real resources' ids by path parameter name, for reads. */
  readonly knownIds?: KnownIds;
}

/** Records the app's routes as it registers them: call before the app is ready (before its first request). */
export function collectRoutes(app: FastifyInstance): RouteShape[] {
  const routes: RouteShape[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method: String(method), url: route.url, ...(route.schema === undefined ? {} : { schema: route.schema }) });
    }
  });
  return routes;
}

/** Whether the body is the fault format's, for this status, with some message. */
export function isFault(format: FaultFormat, status: number, json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const record = json as Record<string, unknown>;
  const inner = Object.values(record)[0];
  const message = typeof record['message'] === 'string' ? record['message'] : (inner as Record<string, unknown> | undefined)?.['message'];
  // Neutron names the fault's kind (`NetworkNotFound`, `TagResourceNotFound`): any name will do.
  const type = (inner as Record<string, unknown> | undefined)?.['type'];
  const named = format === 'neutron' && typeof type === 'string' && type !== '' ? { type } : {};
  return typeof message === 'string' && isDeepStrictEqual(json, faultBody(format, { status, message, ...named }));
}

function problemOf(target: HostileTarget, hostile: HostileCase, status: number, body: string): string | undefined {
  // 501 is a deliberate answer (a service or driver this deployment lacks), still in the fault format.
  if (status >= 500 && status !== 501) return `${status}: ${body.slice(0, 200)}`;
  if (hostile.refusedBySchema && status < 400) return `${status} for input its schema refuses`;
  if (status < 400 || hostile.method === 'HEAD') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `${status} without a JSON fault body: ${body.slice(0, 100)}`;
  }
  return isFault(target.format, status, json) ? undefined : `${status} not in the ${target.format} fault format: ${body.slice(0, 200)}`;
}

export interface HostileReport {
  /** What went wrong, one line each (empty: all held). */
  readonly failures: readonly string[];
  /** How many answers of each status, for the test's diagnostics. */
  readonly statuses: Readonly<Record<number, number>>;
}

/** Runs every route's cases. */
export async function runHostileSuite(target: HostileTarget, routes: readonly RouteShape[]): Promise<HostileReport> {
  const failures: string[] = [];
  const statuses: Record<number, number> = {};
  for (const route of routes) {
    const cases = hostileCases(route, target.casesPerRoute, target.knownIds);
    const before = await Promise.all(target.dbs.map(dumpTables));
    const succeeded: string[] = [];
    const send = async (hostile: HostileCase, index: number) => {
      const response = await target.app.inject({
        method: hostile.method as 'GET',
        url: hostile.url,
        headers: {
          ...target.headers,
          ...(hostile.payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...target.headersFor?.(route, index),
        },
        ...(hostile.payload === undefined ? {} : { payload: hostile.payload }),
      });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      const problem = problemOf(target, hostile, response.statusCode, response.body);
      if (problem !== undefined) failures.push(`${route.method} ${route.url} [${hostile.label}]: ${problem}`);
      if (response.statusCode < 400) succeeded.push(`${hostile.label} → ${response.statusCode}`);
    };
    for (const [index, hostile] of cases.entries()) if (!hostile.mayChange) await send(hostile, index);
    const after = await Promise.all(target.dbs.map(dumpTables));
    const changed = before.flatMap((dump, index) => changedTables(dump, after[index] ?? {}));
    if (changed.length > 0) failures.push(`${route.method} ${route.url}: changed ${changed.join(', ')} (accepted: ${succeeded.join('; ')})`);
    // Bodies the schema accepts go last: they may change the database, never answer 500.
    for (const [index, hostile] of cases.entries()) if (hostile.mayChange) await send(hostile, index);
  }
  return { failures, statuses };
}
