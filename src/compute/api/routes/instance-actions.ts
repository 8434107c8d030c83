import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { Microversion } from '../../../common/http/microversion.js';
import { queryValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { InstanceAction, InstanceActionEvent, InstanceActionPage } from '../../actions/instance-actions.js';
import type { Server } from '../../servers/server.js';
import type { ServersService } from '../../servers/servers-service.js';
import { SERVER_MAX_LIMIT } from '../../servers/server.js';
import { nextLinks } from './links.js';
import { novaTime } from './render.js';
import { hostId } from './render-server.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

export const ActionParams = Type.Object({ server_id: Type.String(), request_id: Type.String() });

/** single_param: a parameter given once (a repeated one is a 400). */
const single = (item: ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>) => Type.Optional(Type.Array(item, { maxItems: 1 }));
const V258 = {
  limit: single(Type.Integer({ minimum: 0 })),
  marker: single(Type.String()),
  'changes-since': single(Type.String({ format: 'date-time' })),
};
type ListQuery = { limit?: number[]; marker?: string[]; 'changes-since'?: string[]; 'changes-before'?: string[] };

/** The list query: none before 2.58 (anything is ignored), paging from 2.58, changes-before from 2.66. */
const LIST_QUERY = versioned<((query: unknown) => unknown) | null>([
  { min: '2.1', max: '2.57', value: null },
  { min: '2.58', max: '2.65', value: queryValidator(Type.Object(V258, { additionalProperties: false })) },
  { min: '2.66', value: queryValidator(Type.Object({ ...V258, 'changes-before': single(Type.String({ format: 'date-time' })) }, { additionalProperties: false })) },
]);

function renderAction(action: InstanceAction, version: Microversion): Record<string, unknown> {
  return {
    action: action.action,
    instance_uuid: action.instance_uuid,
    message: action.message,
    project_id: action.project_id,
    request_id: action.request_id,
    start_time: novaTime(action.start_time),
    user_id: action.user_id,
    ...(version.isAtLeast('2.58') ? { updated_at: novaTime(action.updated_at) } : {}),
  };
}

/** What an event shows: the traceback and (2.62) the host for those allowed events; everyone the hostId from 2.62; (2.84) the failure's details for those allowed them. */
interface EventView {
  readonly traceback: boolean;
  readonly details: boolean;
  readonly host: boolean;
  readonly hostId: boolean;
  readonly projectId: string;
}

function renderEvent(event: InstanceActionEvent, view: EventView): Record<string, unknown> {
  return {
    event: event.event,
    start_time: novaTime(event.start_time),
    finish_time: novaTime(event.finish_time),
    result: event.result,
    ...(view.traceback ? { traceback: event.traceback } : {}),
    ...(view.host ? { host: event.host } : {}),
    ...(view.hostId ? { hostId: hostId(view.projectId, event.host) } : {}),
    ...(view.details ? { details: event.details } : {}),
  };
}

/** The server whose actions are asked for; from 2.21 a deleted one too (read_deleted='yes'). */
function serverOf(servers: ServersService, request: FastifyRequest, id: string): Promise<Server> {
  return servers.get(request.requestContext, id, request.microversion.isAtLeast('2.21'));
}

function isoTime(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

/** The 2.58 paging and time window of a list request. */
function listPage(request: FastifyRequest): { page: InstanceActionPage; query: ListQuery } | undefined {
  const parse = LIST_QUERY.select(request.microversion);
  if (parse === null) return undefined;
  const query = parse(request.query) as ListQuery;
  const changesSince = isoTime(query['changes-since']?.[0]);
  const changesBefore = isoTime(query['changes-before']?.[0]);
  if (changesSince !== undefined && changesBefore !== undefined && changesBefore < changesSince) {
    throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
  }
  const marker = query.marker?.[0];
  return {
    query,
    page: {
      limit: Math.min(query.limit?.[0] ?? SERVER_MAX_LIMIT, SERVER_MAX_LIMIT),
      ...(marker === undefined ? {} : { marker }),
      ...(changesSince === undefined ? {} : { changesSince }),
      ...(changesBefore === undefined ? {} : { changesBefore }),
    },
  };
}

/** /v2.1/servers/{id}/os-instance-actions[/request_id]: events for those allowed them (admins), for everyone from 2.51; details from 2.84. */
export function instanceActionRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-instance-actions', { schema: { params: ServerParams } }, async (request) => {
      const server = await serverOf(servers, request, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-instance-actions:list', { project_id: server.row.project_id });
      const paging = listPage(request);
      const actions = await servers.actionLog.list(server.row.uuid, paging?.page);
      const body: Record<string, unknown> = { instanceActions: actions.map((action) => renderAction(action, request.microversion)) };
      if (paging !== undefined) {
        const path = `servers/${request.params.server_id}/os-instance-actions`;
        const links = nextLinks(deps.publicUrl, path, paging.query, { count: actions.length, limit: paging.page.limit ?? SERVER_MAX_LIMIT, lastId: actions.at(-1)?.request_id });
        if (links.length > 0) body['links'] = links;
      }
      return body;
    });

    app.get('/v2.1/servers/:server_id/os-instance-actions/:request_id', { schema: { params: ActionParams } }, async (request) => {
      const version = request.microversion;
      const server = await serverOf(servers, request, request.params.server_id);
      const target = { project_id: server.row.project_id };
      authorize(deps, request, 'os_compute_api:os-instance-actions:show', target);
      const { action, events } = await servers.actionLog.get(server.row.uuid, request.params.request_id);
      const allowed = deps.policy.check('os_compute_api:os-instance-actions:events', target, deps.credentialsOf(request));
      const body = renderAction(action, version);
      if (allowed || version.isAtLeast('2.51')) {
        const details = version.isAtLeast('2.84') && deps.policy.check('os_compute_api:os-instance-actions:events:details', target, deps.credentialsOf(request));
        const view: EventView = {
          traceback: allowed, details, host: allowed && version.isAtLeast('2.62'), hostId: version.isAtLeast('2.62'), projectId: action.project_id ?? server.row.project_id,
        };
        body['events'] = events.map((event) => renderEvent(event, view));
      }
      return { instanceAction: body };
    });
  };
}
