import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { BadRequest, Forbidden } from '../../../common/errors/errors.js';
import type { ServersService } from '../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams, serverTarget } from './servers.js';

const NoArgs = Type.Optional(Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })]));

/** The server actions of this API at 2.1, one key per request (Nova dispatches on it). */
export const ServerActionBody = Type.Object(
  {
    'os-start': NoArgs,
    'os-stop': NoArgs,
    forceDelete: NoArgs,
    unlock: NoArgs,
    lock: NoArgs,
    reboot: Type.Optional(
      Type.Object({ type: Type.String({ pattern: '^([Hh][Aa][Rr][Dd]|[Ss][Oo][Ff][Tt])$' }) }, { additionalProperties: false }),
    ),
    'os-resetState': Type.Optional(
      Type.Object({ state: Type.Unsafe<'active' | 'error'>({ type: 'string', enum: ['active', 'error'] }) }, { additionalProperties: false }),
    ),
    'os-getConsoleOutput': Type.Optional(
      Type.Object(
        { length: Type.Optional(Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
type ServerActionBody = Static<typeof ServerActionBody>;

/** POST /v2.1/servers/{id}/action: start, stop, reboot, lock, unlock, forceDelete, resetState, console output. */
export function serverActionRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/servers/:server_id/action', { schema: { params: ServerParams, body: ServerActionBody } }, async (request, reply) => {
      const context = request.requestContext;
      const server = await servers.get(context, request.params.server_id);
      const target = serverTarget(server);
      const body: ServerActionBody = request.body;
      const { actions } = servers;
      if (body['os-start'] !== undefined) {
        authorize(deps, request, 'os_compute_api:servers:start', target);
        await actions.start(context, server);
      } else if (body['os-stop'] !== undefined) {
        authorize(deps, request, 'os_compute_api:servers:stop', target);
        await actions.stop(context, server);
      } else if (body.reboot !== undefined) {
        authorize(deps, request, 'os_compute_api:servers:reboot', target);
        await actions.reboot(context, server, body.reboot.type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT');
      } else if (body.lock !== undefined) {
        authorize(deps, request, 'os_compute_api:os-lock-server:lock', target);
        await actions.lock(context, server);
      } else if (body.unlock !== undefined) {
        authorize(deps, request, 'os_compute_api:os-lock-server:unlock', target);
        // A lock an admin set is the admin's to lift (Nova's unlock_override).
        if (server.row.locked_by === 'admin' && !deps.policy.check('os_compute_api:os-lock-server:unlock:unlock_override', target, deps.credentialsOf(request))) {
          throw new Forbidden('Policy doesn\'t allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.');
        }
        await actions.unlock(context, server);
      } else if (body.forceDelete !== undefined) {
        authorize(deps, request, 'os_compute_api:os-deferred-delete:force', target);
        await actions.delete(context, server);
      } else if (body['os-resetState'] !== undefined) {
        authorize(deps, request, 'os_compute_api:os-admin-actions:reset_state', target);
        await actions.resetState(server, body['os-resetState'].state);
      } else if (body['os-getConsoleOutput'] !== undefined) {
        authorize(deps, request, 'os_compute_api:os-console-output', target);
        const length = body['os-getConsoleOutput'].length;
        const output = await servers.consoleOutput(context, server.row.uuid, length === undefined || length === null ? undefined : Number(length));
        return reply.code(200).send({ output });
      } else {
        throw new BadRequest('No action given.');
      }
      return reply.code(202).send();
    });
  };
}
