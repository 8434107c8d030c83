/**
 * Nova's remote consoles (2.6+) and the admin's console token look-up: `POST
 * /servers/{id}/remote-consoles` hands out a console URL with a one-time token (VNC through
 * noVNC only: other protocols are Nova's 400 for a console type this cloud does not serve),
 * `GET /os-console-auth-tokens/{token}` says where a token leads without using it up.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound, Unauthorized } from '../../../common/errors/errors.js';
import { versioned } from '../../../common/http/versioned.js';
import type { ConsoleAuth } from '../../console/console-auth.js';
import type { ServersService } from '../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams, serverTarget } from './servers.js';

const PROTOCOLS_2_6 = ['vnc', 'spice', 'rdp', 'serial'] as const;
const TYPES_2_6 = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial'] as const;

function remoteConsoleBody(protocols: readonly string[], types: readonly string[]) {
  return Type.Object(
    {
      remote_console: Type.Object(
        {
          protocol: Type.Union(protocols.map((protocol) => Type.Literal(protocol))),
          type: Type.Union(types.map((type) => Type.Literal(type))),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
}

/** schemas/remote_consoles.py create_v28 (mks/webmks, 2.8, are a 400 either way: never served here). */
const RemoteConsoleBody = remoteConsoleBody([...PROTOCOLS_2_6, 'mks'], [...TYPES_2_6, 'webmks']);
const SINCE_2_6 = versioned([{ min: '2.6', value: true }]);

const TokenParams = Type.Object({ console_token: Type.String({ minLength: 1, maxLength: 255 }) });

export function remoteConsoleRoutes(deps: ComputeRouteDeps, servers: ServersService, consoleAuth: ConsoleAuth): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/servers/:server_id/remote-consoles', { schema: { params: ServerParams, body: RemoteConsoleBody } }, async (request) => {
      SINCE_2_6.select(request.microversion);
      const { protocol, type } = request.body.remote_console;
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-remote-consoles', serverTarget(server));
      // The libvirt driver with VNC only: any other protocol is a console type the host does not offer.
      if (protocol !== 'vnc') throw new BadRequest(`Unavailable console type ${type}.`);
      const url = await servers.consoles.vncConsole(server, type);
      return { remote_console: { protocol, type, url } };
    });

    app.get('/v2.1/os-console-auth-tokens/:console_token', { schema: { params: TokenParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-console-auth-tokens', {});
      const found = await consoleAuth.show(request.params.console_token);
      if (found === undefined) throw new NotFound('Token not found');
      // Before 2.31 only RDP tokens could be shown.
      if (!request.microversion.isAtLeast('2.31') && found.console_type !== 'rdp-html5') {
        throw new Unauthorized('The requested console type details are not accessible');
      }
      return { console: { instance_uuid: found.instance_uuid, host: found.host, port: found.port, internal_access_path: found.internal_access_path } };
    });
  };
}
