import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import type { Server, ServerCreateRequest } from '../../servers/server.js';
import type { ServersService } from '../../servers/servers-service.js';
import { nextLinks, resourceLinks } from './links.js';
import { boolFromString, NovaDescription, NovaHostname, NovaName } from './nova-types.js';
import { renderPlannedServer, renderServer, renderServerBrief, serverViewPlan, type ServerViewer, type ServerViewKind } from './render-server.js';
import { authorize, ownTarget, type ComputeRouteDeps } from './route-deps.js';
import { parseCreateBody, toCreateRequest } from './server-create-schema.js';
import { diskConfigOf, type DiskConfig } from '../../servers/disk-config.js';
import { serverListQuery } from './server-list-query.js';

export const ServerParams = Type.Object({ server_id: Type.String() });

/** servers.update: name and the access addresses; 2.19 adds the description, 2.90 the hostname. */
const UPDATE_V21 = {
  name: Type.Optional(NovaName),
  accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
  accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
  'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<DiskConfig>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
};
const updateBody = <T extends TProperties>(server: T) =>
  Type.Object({ server: Type.Object(server, { additionalProperties: false }) }, { additionalProperties: false });
const ServerUpdateBody = updateBody({ ...UPDATE_V21, description: Type.Optional(NovaDescription), hostname: Type.Optional(NovaHostname) });
type ServerUpdateBody = Static<typeof ServerUpdateBody>;
const UPDATE_V219 = { ...UPDATE_V21, description: Type.Optional(NovaDescription) };
const UPDATE = versioned<(body: unknown) => unknown>([
  { min: '2.1', max: '2.18', value: bodyValidator(updateBody(UPDATE_V21)) },
  { min: '2.19', max: '2.89', value: bodyValidator(updateBody(UPDATE_V219)) },
  { min: '2.90', value: bodyValidator(ServerUpdateBody) },
]);

/** Nova's server policy target: the server's owner. */
export function serverTarget(server: Server): PolicyTarget {
  return { project_id: server.row.project_id, user_id: server.row.user_id };
}

function viewerFor(deps: ComputeRouteDeps, request: FastifyRequest, target: PolicyTarget = { project_id: request.requestContext.projectId }): ServerViewer {
  const credentials = deps.credentialsOf(request);
  const can = (rule: string) => deps.policy.check(rule, target, credentials);
  return {
    extendedAttributes: can('os_compute_api:os-extended-server-attributes'),
    isAdmin: request.requestContext.isAdmin ?? false,
    hostStatus: can('os_compute_api:servers:show:host_status') ? 'all' : can('os_compute_api:servers:show:host_status:unknown-only') ? 'unknown-only' : 'none',
    flavorExtraSpecs: can('os_compute_api:servers:show:flavor-extra-specs'),
  };
}

/** One server as GET, PUT or rebuild answers with it (host status looked up when the view may show it). */
export async function serverView(
  deps: ComputeRouteDeps,
  request: FastifyRequest,
  servers: ServersService,
  server: Server,
  kind: ServerViewKind,
): Promise<Record<string, unknown>> {
  const viewer = viewerFor(deps, request, { project_id: server.row.project_id });
  const statuses = viewer.hostStatus === 'none' || !request.microversion.isAtLeast('2.16') ? undefined : await servers.hostStatuses([server]);
  const hostStatus = statuses?.get(server.row.uuid);
  const groups = kind === 'show' ? (await securityGroupsOf(request, servers, [server])).get(server.row.uuid) : undefined;
  const hostZone = (await servers.hostZones([server])).get(server.row.uuid);
  return renderServer(deps.publicUrl, server, viewer, request.microversion, {
    kind,
    ...(hostStatus === undefined ? {} : { hostStatus }),
    ...(groups === undefined ? {} : { securityGroups: groups }),
    ...(hostZone === undefined ? {} : { hostZone }),
  });
}

/** Nova's _add_security_grps for show and detail: the groups of the servers' ports, when there is a network API. */
function securityGroupsOf(request: FastifyRequest, servers: ServersService, page: readonly Server[]): Promise<Map<string, string[]>> {
  const withPorts = page.filter((server) => server.networkInfo.length > 0).map((server) => server.row.uuid);
  if (servers.securityGroups === undefined || withPorts.length === 0) return Promise.resolve(new Map<string, string[]>());
  return servers.securityGroups.namesOf(request.requestContext, withPorts);
}

/** The policy checks of a create's optional parts (trusted certificates, a forced or chosen host). */
function authorizeCreate(deps: ComputeRouteDeps, request: FastifyRequest, create: ServerCreateRequest): void {
  const context = request.requestContext;
  const target = { project_id: context.projectId, user_id: context.userId };
  authorize(deps, request, 'os_compute_api:servers:create', target);
  if (create.trustedImageCertificates !== undefined) authorize(deps, request, 'os_compute_api:servers:create:trusted_certs', target);
  if (create.forcedHost !== undefined || create.forcedNode !== undefined) authorize(deps, request, 'os_compute_api:servers:create:forced_host', target);
  if (create.requestedHost !== undefined || create.requestedNode !== undefined) authorize(deps, request, 'compute:servers:create:requested_destination', target);
}

/** /v2.1/servers: create, list (brief and detail), show, update, delete. */
export function serverRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/servers', async (request, reply) => {
      const version = request.microversion;
      const body = parseCreateBody(request.body, version);
      const asked = toCreateRequest(body, version);
      authorizeCreate(deps, request, asked);
      const zeroDisk = deps.policy.check('os_compute_api:servers:create:zero_disk_flavor', ownTarget(request), deps.credentialsOf(request));
      const create = { ...asked, zeroDiskFlavorAllowed: zeroDisk };
      const created = await servers.create(request.requestContext, create);
      const wantsReservation = body.server.return_reservation_id;
      if (wantsReservation !== undefined && boolFromString(wantsReservation) === true) return reply.code(202).send({ reservation_id: created.reservationId });
      const first = created.servers[0] as Server;
      const links = resourceLinks(deps.publicUrl, 'servers', first.row.uuid);
      return reply
        .code(202)
        .header('location', links[0]?.href)
        .send({
          server: {
            id: first.row.uuid,
            links,
            'OS-DCF:diskConfig': diskConfigOf(first.autoDiskConfig),
            security_groups: body.server.security_groups ?? [{ name: 'default' }],
            adminPass: created.adminPass,
          },
        });
    });

    for (const [path, detail] of [
      ['servers', false],
      ['servers/detail', true],
    ] as const) {
      app.get(`/v2.1/${path}`, async (request) => {
        const context = request.requestContext;
        authorize(deps, request, `os_compute_api:servers:${detail ? 'detail' : 'index'}`, { project_id: context.projectId, user_id: context.userId });
        const query = serverListQuery(deps, request, detail);
        if (query === undefined) return { servers: [] };
        const listed = (views: readonly Record<string, unknown>[], lastId: string | undefined) => {
          const links = nextLinks(deps.publicUrl, path, request.query as Record<string, unknown>, { count: views.length, limit: query.limit, lastId });
          return { servers: views, ...(links.length > 0 ? { servers_links: links } : {}) };
        };
        if (detail) {
          const page = await servers.list(query);
          return listed(await detailViews(deps, request, servers, page), page.at(-1)?.row.uuid);
        }
        // A brief list shows ids, names and links: it reads the rows and nothing beside them.
        const rows = await servers.listRows(query);
        return listed(rows.map((row) => renderServerBrief(deps.publicUrl, row)), rows.at(-1)?.uuid);
      });
    }

    app.get('/v2.1/servers/:server_id', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:show', serverTarget(server));
      return { server: await serverView(deps, request, servers, server, 'show') };
    });

    app.put('/v2.1/servers/:server_id', { schema: { params: ServerParams } }, async (request) => {
      const body = UPDATE.select(request.microversion)(request.body) as ServerUpdateBody;
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:update', serverTarget(server));
      const { name, accessIPv4, accessIPv6, description, hostname, 'OS-DCF:diskConfig': diskConfig } = body.server;
      const updated = await servers.update(request.requestContext, server.row.uuid, {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(accessIPv4 === undefined ? {} : { accessIPv4 }),
        ...(accessIPv6 === undefined ? {} : { accessIPv6 }),
        ...(hostname === undefined ? {} : { hostname }),
        ...(diskConfig === undefined ? {} : { diskConfig }),
      });
      return { server: await serverView(deps, request, servers, updated, 'update') };
    });

    app.delete('/v2.1/servers/:server_id', { schema: { params: ServerParams } }, async (request, reply) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:delete', serverTarget(server));
      await servers.deletes.delete(request.requestContext, server);
      return reply.code(204).send();
    });
  };
}

/** GET /servers/detail: the viewer and the view's versions decided once, host statuses and zones read once for the page (as Nova's detail()). */
async function detailViews(deps: ComputeRouteDeps, request: FastifyRequest, servers: ServersService, page: readonly Server[]): Promise<Record<string, unknown>[]> {
  const viewer = viewerFor(deps, request);
  const statuses = viewer.hostStatus === 'none' || !request.microversion.isAtLeast('2.16') ? undefined : await servers.hostStatuses(page);
  const groups = await securityGroupsOf(request, servers, page);
  const zones = await servers.hostZones(page);
  const plan = serverViewPlan(deps.publicUrl, viewer, request.microversion, 'detail');
  return page.map((server) => {
    const uuid = server.row.uuid;
    return renderPlannedServer(plan, server, { hostStatus: statuses?.get(uuid), securityGroups: groups.get(uuid), hostZone: zones.get(uuid) });
  });
}
