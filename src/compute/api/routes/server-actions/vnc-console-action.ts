/** os-getVNCConsole (2.1–2.5; remote-consoles from 2.6): a console URL with a one-time token. */
import { Type } from '@sinclair/typebox';
import { versioned } from '../../../../common/http/versioned.js';
import { serverAction } from './server-action.js';

const UNTIL_2_5 = versioned([{ min: '2.1', max: '2.5', value: true }]);

export const vncConsoleAction = serverAction({
  key: 'os-getVNCConsole',
  schema: Type.Object({ type: Type.Union([Type.Literal('novnc'), Type.Literal('xvpvnc')]) }, { additionalProperties: false }),
  policy: 'os_compute_api:os-remote-consoles',
  run: async ({ request, server, servers, body }) => {
    UNTIL_2_5.select(request.microversion);
    const url = await servers.consoles.vncConsole(server, body.type);
    return { status: 200, body: { console: { type: body.type, url } } };
  },
});
