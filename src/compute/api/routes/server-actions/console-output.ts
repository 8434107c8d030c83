/** os-getConsoleOutput: the last `length` lines of the serial console (all of it without one). */
import { Type } from '@sinclair/typebox';
import { serverAction } from './server-action.js';

export const consoleOutputAction = serverAction({
  key: 'os-getConsoleOutput',
  schema: Type.Object(
    { length: Type.Optional(Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 })) },
    { additionalProperties: false },
  ),
  policy: 'os_compute_api:os-console-output',
  run: async ({ context, server, servers, body }) => {
    const length = body.length === undefined || body.length === null ? undefined : Number(body.length);
    const output = await servers.consoleOutput(context, server.row.uuid, length);
    return { status: 200, body: { output } };
  },
});
