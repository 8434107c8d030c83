/** forceDelete and restore (Nova's deferred_delete.py): the two ends of a soft delete. */
import { NoArgs, serverAction } from './server-action.js';

export const deferredDeleteActions = [
  serverAction({
    key: 'forceDelete',
    schema: NoArgs,
    policy: 'os_compute_api:os-deferred-delete:force',
    run: ({ context, server, servers }) => servers.deletes.forceDelete(context, server),
  }),
  serverAction({
    key: 'restore',
    schema: NoArgs,
    policy: 'os_compute_api:os-deferred-delete:restore',
    run: ({ context, server, servers }) => servers.deletes.restore(context, server),
  }),
];
