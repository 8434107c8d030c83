/** os-start, os-stop, reboot. */
import { Type } from '@sinclair/typebox';
import { NoArgs, serverAction } from './server-action.js';

export const powerActions = [
  serverAction({
    key: 'os-start',
    schema: NoArgs,
    policy: 'os_compute_api:servers:start',
    run: ({ context, server, servers }) => servers.actions.start(context, server),
  }),
  serverAction({
    key: 'os-stop',
    schema: NoArgs,
    policy: 'os_compute_api:servers:stop',
    run: ({ context, server, servers }) => servers.actions.stop(context, server),
  }),
  serverAction({
    key: 'reboot',
    schema: Type.Object({ type: Type.String({ pattern: '^([Hh][Aa][Rr][Dd]|[Ss][Oo][Ff][Tt])$' }) }, { additionalProperties: false }),
    policy: 'os_compute_api:servers:reboot',
    run: ({ context, server, servers, body }) => servers.actions.reboot(context, server, body.type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT'),
  }),
];
