import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { BadRequest } from '../../../../common/errors/errors.js';
import type { ServersService } from '../../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from '../route-deps.js';
import { ServerParams, serverTarget } from '../servers.js';
import { adminActions } from './admin-actions.js';
import { consoleOutputAction } from './console-output.js';
import { vncConsoleAction } from './vnc-console-action.js';
import { guestActions } from './guest-actions.js';
import { evacuateAction } from './evacuate-action.js';
import { liveMigrationActions } from './live-migration-actions.js';
import { lockActions } from './lock-actions.js';
import { powerActions } from './power-actions.js';
import { rebuildAction } from './rebuild-action.js';
import { resizeActions } from './resize-actions.js';
import type { ServerAction } from './server-action.js';
import { snapshotActions } from './snapshot-actions.js';
import { securityGroupActions } from './security-group-actions.js';
import { floatingIpActions } from './floating-ip-actions.js';
import { deferredDeleteActions } from './deferred-delete-actions.js';

/** Every action this API serves, by body key. */
export const SERVER_ACTIONS: readonly ServerAction[] = [...powerActions, ...lockActions, ...adminActions, consoleOutputAction, vncConsoleAction, ...snapshotActions, ...guestActions, rebuildAction, ...resizeActions, ...liveMigrationActions, evacuateAction, ...securityGroupActions, ...floatingIpActions, ...deferredDeleteActions];

/** The action body: exactly one known key, its value valid for that action. */
function actionBodySchema(actions: readonly ServerAction[]) {
  const properties: Record<string, TSchema> = {};
  for (const action of actions) properties[action.key] = Type.Optional(action.schema);
  return Type.Object(properties, { additionalProperties: false, minProperties: 1, maxProperties: 1 });
}

/** POST /v2.1/servers/{id}/action. */
export function serverActionRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  const byKey = new Map(SERVER_ACTIONS.map((action) => [action.key, action]));
  if (byKey.size !== SERVER_ACTIONS.length) throw new Error('Two server actions share a body key');
  const body = actionBodySchema(SERVER_ACTIONS);
  return async (app) => {
    app.post('/v2.1/servers/:server_id/action', { schema: { params: ServerParams, body } }, async (request, reply) => {
      const context = request.requestContext;
      const [key, value] = Object.entries(request.body as Record<string, unknown>)[0] ?? [];
      const action = key === undefined ? undefined : byKey.get(key);
      if (action === undefined) throw new BadRequest('No action given.');
      const server = await servers.get(context, request.params.server_id);
      const target = serverTarget(server);
      authorize(deps, request, action.policy, target);
      const result = await action.run({ request, context, server, target, body: value, deps, servers });
      if (result?.headers !== undefined) void reply.headers(result.headers);
      return reply.code(result?.status ?? 202).send(result?.body);
    });
  };
}
