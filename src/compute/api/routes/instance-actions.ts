import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { InstanceAction, InstanceActionEvent } from '../../servers/instance-actions.js';
import type { ServersService } from '../../servers/servers-service.js';
import { novaTime } from './render.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams, serverTarget } from './servers.js';

export const ActionParams = Type.Object({ server_id: Type.String(), request_id: Type.String() });

function renderAction(action: InstanceAction): Record<string, unknown> {
  return {
    action: action.action,
    instance_uuid: action.instance_uuid,
    message: action.message,
    project_id: action.project_id,
    request_id: action.request_id,
    start_time: novaTime(action.start_time),
    user_id: action.user_id,
  };
}

/** An event at 2.1 (host and hostId come at 2.62, details at 2.84). */
function renderEvent(event: InstanceActionEvent): Record<string, unknown> {
  return { event: event.event, start_time: novaTime(event.start_time), finish_time: novaTime(event.finish_time), result: event.result, traceback: event.traceback };
}

/** /v2.1/servers/{id}/os-instance-actions[/request_id]: events only for those allowed them (admins). */
export function instanceActionRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-instance-actions', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-instance-actions:list', serverTarget(server));
      return { instanceActions: (await servers.actionLog.list(server.row.uuid)).map(renderAction) };
    });

    app.get('/v2.1/servers/:server_id/os-instance-actions/:request_id', { schema: { params: ActionParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      const target = serverTarget(server);
      authorize(deps, request, 'os_compute_api:os-instance-actions:show', target);
      const { action, events } = await servers.actionLog.get(server.row.uuid, request.params.request_id);
      const showEvents = deps.policy.check('os_compute_api:os-instance-actions:events', target, deps.credentialsOf(request));
      return { instanceAction: { ...renderAction(action), ...(showEvents ? { events: events.map(renderEvent) } : {}) } };
    });
  };
}
