import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { queryValidator } from '../../../common/http/validation.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServerUsage, TenantUsage, UsagePeriod } from '../../admin/tenant-usage.js';
import { MAX_LIMIT } from '../../flavors/flavor.js';
import { nextLinks } from './links.js';
import { queryLists, unknownQueryCheck, NonNegativeInteger } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** Paging arrived at 2.40; before it Nova silently limits to [api] max_limit. */
const PAGING = '2.40';
/** simple_tenant_usage.index_query_v240 (index_query before 2.40 ignores limit and marker as unknowns). */
export const UsageQuerystring = Type.Object(
  {
    start: Type.Optional(Type.Array(Type.String())),
    end: Type.Optional(Type.Array(Type.String())),
    detailed: Type.Optional(Type.Array(Type.String())),
    limit: Type.Optional(Type.Array(NonNegativeInteger)),
    marker: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);
/** show_query_v240: no `detailed`. */
const ShowQuerystring = Type.Object({ start: UsageQuerystring.properties.start, end: UsageQuerystring.properties.end, limit: UsageQuerystring.properties.limit, marker: UsageQuerystring.properties.marker }, { additionalProperties: true });
export const UsageParams = Type.Object({ tenant_id: Type.String() });
const AnyQuery = Type.Object({}, { additionalProperties: true });

const checkIndex = unknownQueryCheck(UsageQuerystring);
const checkShow = unknownQueryCheck(ShowQuerystring);
const validateIndex = queryValidator(UsageQuerystring);
const validateShow = queryValidator(ShowQuerystring);

/** Nova's strptime formats: `%Y-%m-%dT%H:%M:%S`, the same with `.%f`, and `%Y-%m-%d %H:%M:%S.%f`. */
const DATE_TIME = /^(\d{4}-\d\d-\d\d)([T ])(\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;

/** Nova's _parse_datetime: naive times are UTC; absent means now. */
function parseDateTime(text: string | undefined, now: Date): Date {
  if (text === undefined || text === '') return now;
  const match = DATE_TIME.exec(text);
  if (match && !(match[2] === ' ' && match[4] === undefined)) {
    const [, day = '', , time = '', fraction] = match;
    const date = new Date(`${day}T${time}${fraction === undefined ? '' : `.${fraction.padEnd(3, '0').slice(0, 3)}`}Z`);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new BadRequest('Invalid datetime string: Datetime is in invalid format');
}

/** Python's isoformat() of a naive datetime: no fraction when it is zero. */
function isoformat(date: Date): string {
  const text = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? text.slice(0, 19) : `${text.slice(0, 23)}000`;
}

function renderServer(server: ServerUsage): Record<string, unknown> {
  return { ...server, started_at: isoformat(server.started_at), ended_at: server.ended_at === null ? null : isoformat(server.ended_at) };
}

function renderTenant(tenant: TenantUsage, period: UsagePeriod, detailed: boolean): Record<string, unknown> {
  const { server_usages: servers, ...totals } = tenant;
  return { ...totals, ...(detailed ? { server_usages: servers.map(renderServer) } : {}), start: isoformat(period.start), stop: isoformat(period.stop) };
}

/** Nova's _get_datetime_range and paging: the period (its end never after now), limit and marker. */
function periodOf(request: FastifyRequest, query: Readonly<Record<string, readonly string[] | undefined>>, projectId?: string): UsagePeriod {
  const now = new Date();
  const start = parseDateTime(query['start']?.[0], now);
  const stop = parseDateTime(query['end']?.[0], now);
  if (start.getTime() >= stop.getTime()) throw new BadRequest('Invalid start time. The start time cannot occur after the end time.');
  const paged = request.microversion.isAtLeast(PAGING);
  const asked = paged ? query['limit']?.at(-1) : undefined;
  const marker = paged ? query['marker']?.at(-1) : undefined;
  return {
    start,
    stop: stop.getTime() > now.getTime() ? now : stop,
    ...(projectId === undefined ? {} : { projectId }),
    limit: Math.min(MAX_LIMIT, asked === undefined ? MAX_LIMIT : Number(asked)),
    ...(marker === undefined ? {} : { marker }),
  };
}

/** /v2.1/os-simple-tenant-usage (admin, every project) and /{tenant_id} (the project's readers). */
export function simpleTenantUsageRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const { usage } = admin;

  function links(request: FastifyRequest, path: string, servers: readonly ServerUsage[], period: UsagePeriod) {
    if (!request.microversion.isAtLeast(PAGING)) return [];
    return nextLinks(deps.publicUrl, path, request.query as Record<string, unknown>, { count: servers.length, limit: period.limit, lastId: servers.at(-1)?.instance_id });
  }

  return async (app) => {
    app.get('/v2.1/os-simple-tenant-usage', { schema: { querystring: AnyQuery } }, async (request) => {
      checkIndex(request);
      const query = queryLists(validateIndex(queryLists(request.query)));
      authorize(deps, request, 'os_compute_api:os-simple-tenant-usage:list', {});
      const period = periodOf(request, query);
      const detailed = query['detailed']?.[0] === '1';
      const { tenants, servers } = await usage.forPeriod(period);
      const next = links(request, 'os-simple-tenant-usage', servers, period);
      return { tenant_usages: tenants.map((tenant) => renderTenant(tenant, period, detailed)), ...(next.length > 0 ? { tenant_usages_links: next } : {}) };
    });

    app.get('/v2.1/os-simple-tenant-usage/:tenant_id', { schema: { params: UsageParams, querystring: AnyQuery } }, async (request) => {
      // `os-simple-tenant-usage/` names no tenant: Nova's router matches no route there.
      if (request.params.tenant_id === '') throw new NotFound();
      checkShow(request);
      const query = queryLists(validateShow(queryLists(request.query)));
      const projectId = request.params.tenant_id;
      authorize(deps, request, 'os_compute_api:os-simple-tenant-usage:show', { project_id: projectId });
      const period = periodOf(request, query, projectId);
      const { tenants, servers } = await usage.forPeriod(period);
      const tenant = tenants[0];
      const next = links(request, `os-simple-tenant-usage/${encodeURIComponent(projectId)}`, servers, period);
      return { tenant_usage: tenant === undefined ? {} : renderTenant(tenant, period, true), ...(next.length > 0 ? { tenant_usage_links: next } : {}) };
    });
  };
}
