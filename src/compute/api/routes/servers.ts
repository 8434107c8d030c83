import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import { ADMIN_ONLY_SORT_KEYS, SERVER_MAX_LIMIT, SERVER_SORT_KEYS, type Server, type ServerListQuery, type ServerSortKey } from '../../servers/server.js';
import type { ServersService } from '../../servers/servers-service.js';
import { statesFromStatus } from '../../state/status.js';
import { nextLinks } from './links.js';
import { boolFromString, last, MultiParam, NovaName } from './nova-types.js';
import { renderServer, renderServerBrief, type ServerViewer } from './render-server.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerCreateBody, toCreateRequest } from './server-create-schema.js';

export const ServerParams = Type.Object({ server_id: Type.String() });

/** servers.update (2.1): name and the access addresses. */
export const ServerUpdateBody = Type.Object(
  {
    server: Type.Object(
      {
        name: Type.Optional(NovaName),
        accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
        accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
        'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The list query at 2.1: Nova ignores parameters it does not know. */
export const ServerListQuerystring = Type.Object(
  {
    limit: MultiParam(Type.Integer({ minimum: 0 })),
    marker: MultiParam(Type.String()),
    name: MultiParam(Type.String()),
    status: MultiParam(Type.String()),
    image: MultiParam(Type.String()),
    flavor: MultiParam(Type.String()),
    host: MultiParam(Type.String()),
    'changes-since': MultiParam(Type.String()),
    all_tenants: MultiParam(Type.String()),
    sort_key: MultiParam(Type.String()),
    sort_dir: MultiParam(Type.String()),
  },
  { additionalProperties: true },
);
type ServerListQuerystring = Static<typeof ServerListQuerystring>;

/** Nova's server policy target: the server's owner. */
export function serverTarget(server: Server): PolicyTarget {
  return { project_id: server.row.project_id, user_id: server.row.user_id };
}

export function viewerFor(deps: ComputeRouteDeps, request: FastifyRequest): ServerViewer {
  const credentials = deps.credentialsOf(request);
  return {
    extendedAttributes: deps.policy.check('os_compute_api:os-extended-server-attributes', { project_id: request.requestContext.projectId }, credentials),
    isAdmin: request.requestContext.isAdmin ?? false,
  };
}

/** Nova's index/detail search options, as _get_servers reads them at 2.1. */
function listQuery(deps: ComputeRouteDeps, request: FastifyRequest, query: ServerListQuerystring, detail: boolean): ServerListQuery {
  const isAdmin = request.requestContext.isAdmin ?? false;
  const allTenantsParam = last(query.all_tenants);
  // all_tenants with no value (`?all_tenants`) means true, as Nova's is_all_tenants.
  const allTenants = allTenantsParam !== undefined && (allTenantsParam === '' || boolFromString(allTenantsParam) === true);
  if (allTenantsParam !== undefined && allTenantsParam !== '' && boolFromString(allTenantsParam) === undefined) {
    throw new BadRequest(`Invalid all_tenants value: ${allTenantsParam}`);
  }
  if (allTenants) authorize(deps, request, `os_compute_api:servers:${detail ? 'detail' : 'index'}:get_all_tenants`, {});
  const statuses = query.status;
  const states = statuses === undefined ? undefined : statesFromStatus(statuses);
  const changesSince = last(query['changes-since']);
  let since: string | undefined;
  if (changesSince !== undefined) {
    const parsed = new Date(changesSince);
    if (Number.isNaN(parsed.getTime())) throw new BadRequest(`Invalid input for query parameters changes-since. Value: ${changesSince}.`);
    since = parsed.toISOString();
  }
  const sortKeys = query.sort_key ?? [];
  const sortDirs = query.sort_dir ?? [];
  const sort: { key: ServerSortKey; dir: 'asc' | 'desc' }[] = [];
  for (const [index, key] of sortKeys.entries()) {
    if (!(SERVER_SORT_KEYS as readonly string[]).includes(key)) throw new BadRequest(`Invalid input for query parameters sort_key. Value: ${key}.`);
    const dir = sortDirs[index] ?? sortDirs[0] ?? 'desc';
    if (dir !== 'asc' && dir !== 'desc') throw new BadRequest(`Invalid input for query parameters sort_dir. Value: ${dir}.`);
    if (!isAdmin && ADMIN_ONLY_SORT_KEYS.includes(key as ServerSortKey)) continue;
    sort.push({ key: key as ServerSortKey, dir });
  }
  if (sort.length === 0) sort.push({ key: 'created_at', dir: 'desc' });
  const limit = last(query.limit);
  const name = last(query.name);
  const image = last(query.image);
  const flavor = last(query.flavor);
  const host = isAdmin ? last(query.host) : undefined;
  const marker = last(query.marker);
  return {
    ...(allTenants ? {} : { projectId: request.requestContext.projectId ?? '' }),
    ...(name === undefined ? {} : { name }),
    ...(states === undefined ? {} : { vmStates: states.vmStates, ...(states.taskStates === undefined ? {} : { taskStates: states.taskStates }) }),
    ...(image === undefined ? {} : { imageRef: image.split('/').at(-1) ?? image }),
    ...(flavor === undefined ? {} : { flavorId: flavor.split('/').at(-1) ?? flavor }),
    ...(host === undefined ? {} : { host }),
    ...(since === undefined ? {} : { changesSince: since }),
    sort,
    limit: limit === undefined || limit === 0 ? SERVER_MAX_LIMIT : Math.min(limit, SERVER_MAX_LIMIT),
    ...(marker === undefined ? {} : { marker }),
  };
}

/** /v2.1/servers: create, list (brief and detail), show, update, delete. */
export function serverRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/servers', { schema: { body: ServerCreateBody } }, async (request, reply) => {
      const context = request.requestContext;
      authorize(deps, request, 'os_compute_api:servers:create', { project_id: context.projectId, user_id: context.userId });
      const created = await servers.create(context, toCreateRequest(request.body));
      const wantsReservation = request.body.server.return_reservation_id;
      if (wantsReservation !== undefined && boolFromString(wantsReservation) === true) return reply.code(202).send({ reservation_id: created.reservationId });
      const first = created.servers[0] as Server;
      return reply.code(202).send({
        server: {
          id: first.row.uuid,
          links: renderServerBrief(deps.publicUrl, first)['links'],
          'OS-DCF:diskConfig': 'MANUAL',
          security_groups: [{ name: 'default' }],
          adminPass: created.adminPass,
        },
      });
    });

    for (const [path, detail] of [
      ['servers', false],
      ['servers/detail', true],
    ] as const) {
      app.get(`/v2.1/${path}`, { schema: { querystring: ServerListQuerystring } }, async (request) => {
        const context = request.requestContext;
        authorize(deps, request, `os_compute_api:servers:${detail ? 'detail' : 'index'}`, { project_id: context.projectId, user_id: context.userId });
        const query = listQuery(deps, request, request.query, detail);
        const page = await servers.list(query);
        const viewer = viewerFor(deps, request);
        const links = nextLinks(deps.publicUrl, path, request.query, { count: page.length, limit: query.limit, lastId: page.at(-1)?.row.uuid });
        return {
          servers: page.map((server) => (detail ? renderServer(deps.publicUrl, server, viewer) : renderServerBrief(deps.publicUrl, server))),
          ...(links.length > 0 ? { servers_links: links } : {}),
        };
      });
    }

    app.get('/v2.1/servers/:server_id', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:show', serverTarget(server));
      return { server: renderServer(deps.publicUrl, server, viewerFor(deps, request)) };
    });

    app.put('/v2.1/servers/:server_id', { schema: { params: ServerParams, body: ServerUpdateBody } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:update', serverTarget(server));
      const { name, accessIPv4, accessIPv6 } = request.body.server;
      const updated = await servers.update(request.requestContext, server.row.uuid, {
        ...(name === undefined ? {} : { name }),
        ...(accessIPv4 === undefined ? {} : { accessIPv4 }),
        ...(accessIPv6 === undefined ? {} : { accessIPv6 }),
      });
      return { server: renderServer(deps.publicUrl, updated, viewerFor(deps, request)) };
    });

    app.delete('/v2.1/servers/:server_id', { schema: { params: ServerParams } }, async (request, reply) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:delete', serverTarget(server));
      await servers.actions.delete(request.requestContext, server);
      return reply.code(204).send();
    });
  };
}
