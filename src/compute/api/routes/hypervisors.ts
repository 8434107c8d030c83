import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { queryValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { Hypervisor, HypervisorPage, NodeKey } from '../../admin/hypervisors.js';
import { MAX_LIMIT } from '../../flavors/flavor.js';
import { LAST_WITH_STATISTICS, renderHypervisor, renderStatistics, UUID_FOR_ID } from './hypervisor-views.js';
import { nextLinks } from './links.js';
import { boolFromString, isUuidLike, NovaBoolean, queryLists, NonNegativeInteger, parseInteger } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

export const HypervisorParams = Type.Object({ hypervisor_id: Type.String() });
/** Every query is read by the version's own schema in the handler; the route only gathers repeats. */
const AnyQuery = Type.Object({}, { additionalProperties: true });

const Single = (schema: TSchema) => Type.Optional(Type.Array(schema, { maxItems: 1 }));
/** hypervisors.list_query_schema_v233: paging, other parameters ignored. */
const ListQueryV233 = Type.Object({ limit: Type.Optional(Type.Array(NonNegativeInteger)), marker: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: true });
/** list_query_schema_v253: one value each, nothing else. */
const ListQueryV253 = Type.Object(
  {
    limit: Single(NonNegativeInteger),
    marker: Single(Type.String()),
    hypervisor_hostname_pattern: Single(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' })),
    with_servers: Single(NovaBoolean),
  },
  { additionalProperties: false },
);
const ShowQueryV253 = Type.Object({ with_servers: Single(NovaBoolean) }, { additionalProperties: false });

interface ListQuery {
  readonly page?: HypervisorPage;
  readonly pattern?: string;
  readonly withServers: boolean;
}

type QueryLists = Readonly<Record<string, readonly string[] | undefined>>;
/** The query in the list shape Nova's query schemas check, validated by `validate`. */
const checked = (validate: (query: unknown) => unknown, request: FastifyRequest): QueryLists => queryLists(validate(queryLists(request.query)));

function pageOf(request: FastifyRequest, limit: readonly string[] | undefined, marker: readonly string[] | undefined): HypervisorPage {
  const asked = limit?.at(-1);
  const text = marker?.at(-1);
  const uuidMarker = request.microversion.isAtLeast(UUID_FOR_ID);
  const key: NodeKey | undefined = text === undefined ? undefined : uuidMarker ? { uuid: text } : /^\d+$/.test(text) ? { id: Number(text) } : { id: -1 };
  return {
    limit: Math.min(MAX_LIMIT, asked === undefined ? MAX_LIMIT : Number(asked)),
    ...(key === undefined || text === undefined ? {} : { marker: { text, key } }),
  };
}

const validateV233 = queryValidator(ListQueryV233);
const validateV253 = queryValidator(ListQueryV253);
/** What each version reads from the list query (Nova's three index/detail methods). */
const LIST_QUERIES = versioned<(request: FastifyRequest) => ListQuery>([
  { min: '2.1', max: '2.32', value: () => ({ withServers: false }) },
  {
    min: '2.33',
    max: '2.52',
    value: (request) => {
      const query = checked(validateV233, request);
      return { page: pageOf(request, query['limit'], query['marker']), withServers: false };
    },
  },
  {
    min: UUID_FOR_ID,
    value: (request) => {
      const query = checked(validateV253, request);
      const pattern = query['hypervisor_hostname_pattern']?.at(-1);
      const withServersText = query['with_servers']?.at(-1);
      const withServers = withServersText !== undefined && boolFromString(withServersText) === true;
      if (pattern === undefined) return { page: pageOf(request, query['limit'], query['marker']), withServers };
      if (query['limit'] !== undefined || query['marker'] !== undefined) {
        throw new BadRequest('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
      }
      return { pattern, withServers };
    },
  },
]);
const validateShowV253 = queryValidator(ShowQueryV253);

/** Show's with_servers, a 2.53 query parameter (the only one show takes from then on). */
function showWithServers(request: FastifyRequest): boolean {
  if (!request.microversion.isAtLeast(UUID_FOR_ID)) return false;
  const value = checked(validateShowV253, request)['with_servers']?.at(-1);
  return value !== undefined && boolFromString(value) === true;
}

/** The path id as the version reads it: an integer before 2.53 (else 404), a uuid from then on (else 400). */
export function nodeKey(request: FastifyRequest, id: string): NodeKey {
  if (request.microversion.isAtLeast(UUID_FOR_ID)) {
    if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
    return { uuid: id };
  }
  const number = parseInteger(id);
  if (number === undefined) throw new NotFound(`Hypervisor with ID '${id}' could not be found.`);
  return { id: number };
}

/** Only from 2.1 to 2.52 (2.53 moved them into query parameters); later, as in Nova, 404. */
const beforeUuids = versioned([{ min: '2.1', max: '2.52', value: true }]);
/** GET /os-hypervisors/statistics and /{id}/uptime end at 2.87. */
export const withStatistics = versioned([{ min: '2.1', max: LAST_WITH_STATISTICS, value: true }]);

/** /v2.1/os-hypervisors: list and detail (paged from 2.33), show, statistics, and the pre-2.53 search and servers. */
export function hypervisorRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const { hypervisors } = admin;

  async function listed(request: FastifyRequest, detail: boolean): Promise<Record<string, unknown>> {
    const query = LIST_QUERIES.select(request.microversion)(request);
    authorize(deps, request, detail ? 'os_compute_api:os-hypervisors:list-detail' : 'os_compute_api:os-hypervisors:list', {});
    const found = query.pattern === undefined ? await hypervisors.list(query.page) : await hypervisors.search(query.pattern);
    const rendered = await Promise.all(found.map(async (hypervisor) => render(request, hypervisor, detail, query.withServers)));
    const result: Record<string, unknown> = { hypervisors: rendered };
    if (query.page !== undefined) {
      const path = detail ? 'os-hypervisors/detail' : 'os-hypervisors';
      const last = found.at(-1)?.node;
      const lastId = last === undefined ? undefined : request.microversion.isAtLeast(UUID_FOR_ID) ? last.uuid : String(last.id);
      const links = nextLinks(deps.publicUrl, path, request.query as Record<string, unknown>, { count: rendered.length, limit: query.page.limit, lastId });
      if (links.length > 0) result['hypervisors_links'] = links;
    }
    return result;
  }

  async function render(request: FastifyRequest, hypervisor: Hypervisor, detail: boolean, withServers: boolean): Promise<Record<string, unknown>> {
    return renderHypervisor(request, hypervisor, { detail, ...(withServers ? { servers: await hypervisors.serversOn(hypervisor.node.host) } : {}) });
  }

  return async (app) => {
    app.get('/v2.1/os-hypervisors', { schema: { querystring: AnyQuery } }, async (request) => listed(request, false));
    app.get('/v2.1/os-hypervisors/detail', { schema: { querystring: AnyQuery } }, async (request) => listed(request, true));

    app.get('/v2.1/os-hypervisors/statistics', async (request) => {
      withStatistics.select(request.microversion);
      authorize(deps, request, 'os_compute_api:os-hypervisors:statistics', {});
      const enabled = (await hypervisors.list()).filter((hypervisor) => !hypervisor.service.disabled);
      return { hypervisor_statistics: renderStatistics(enabled) };
    });

    app.get('/v2.1/os-hypervisors/:hypervisor_id', { schema: { params: HypervisorParams, querystring: AnyQuery } }, async (request) => {
      const withServers = showWithServers(request);
      authorize(deps, request, 'os_compute_api:os-hypervisors:show', {});
      const id = request.params.hypervisor_id;
      const hypervisor = await hypervisors.get(nodeKey(request, id), id);
      return { hypervisor: await render(request, hypervisor, true, withServers) };
    });

    app.get('/v2.1/os-hypervisors/:hypervisor_id/search', { schema: { params: HypervisorParams } }, async (request) => {
      beforeUuids.select(request.microversion);
      authorize(deps, request, 'os_compute_api:os-hypervisors:search', {});
      const found = await hypervisors.search(request.params.hypervisor_id);
      return { hypervisors: found.map((hypervisor) => renderHypervisor(request, hypervisor, { detail: false })) };
    });

    app.get('/v2.1/os-hypervisors/:hypervisor_id/servers', { schema: { params: HypervisorParams } }, async (request) => {
      beforeUuids.select(request.microversion);
      authorize(deps, request, 'os_compute_api:os-hypervisors:servers', {});
      const found = await hypervisors.search(request.params.hypervisor_id);
      return { hypervisors: await Promise.all(found.map((hypervisor) => render(request, hypervisor, false, true))) };
    });
  };
}
