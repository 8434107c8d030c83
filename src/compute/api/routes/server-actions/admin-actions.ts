/** os-resetState. */
import { Type } from '@sinclair/typebox';
import { serverAction } from './server-action.js';

export const adminActions = [
  serverAction({
    key: 'os-resetState',
    schema: Type.Object({ state: Type.Unsafe<'active' | 'error'>({ type: 'string', enum: ['active', 'error'] }) }, { additionalProperties: false }),
    policy: 'os_compute_api:os-admin-actions:reset_state',
    run: ({ server, servers, body }) => servers.actions.resetState(server, body.state),
  }),
];
