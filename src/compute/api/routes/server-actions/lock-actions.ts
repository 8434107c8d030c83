/** lock (with a reason from 2.73) and unlock. */
import { Type } from '@sinclair/typebox';
import { BadRequest, Forbidden } from '../../../../common/errors/errors.js';
import { NoArgs, serverAction } from './server-action.js';

const LockBody = Type.Union([NoArgs, Type.Object({ locked_reason: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false })]);

export const lockActions = [
  serverAction({
    key: 'lock',
    schema: LockBody,
    policy: 'os_compute_api:os-lock-server:lock',
    run: async ({ request, context, server, servers, body }) => {
      const reason = body !== null && 'locked_reason' in body ? body.locked_reason : null;
      if (reason !== null && !request.microversion.isAtLeast('2.73')) {
        throw new BadRequest("Invalid input for field/attribute lock. Value: {'locked_reason': ...}. Additional properties are not allowed ('locked_reason' was unexpected)");
      }
      await servers.actions.lock(context, server, reason);
    },
  }),
  serverAction({
    key: 'unlock',
    schema: NoArgs,
    policy: 'os_compute_api:os-lock-server:unlock',
    run: async ({ request, server, servers, deps, target, context }) => {
      // A lock an admin set is the admin's to lift (Nova's unlock_override).
      const override = 'os_compute_api:os-lock-server:unlock:unlock_override';
      if (server.row.locked_by === 'admin' && !deps.policy.check(override, target, deps.credentialsOf(request))) {
        throw new Forbidden(`Policy doesn't allow ${override} to be performed.`);
      }
      await servers.actions.unlock(context, server);
    },
  }),
];
