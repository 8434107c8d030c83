/** pause, unpause, suspend, resume, rescue (200 with the rescue admin password), unrescue. */
import { Type } from '@sinclair/typebox';
import { NoArgs, serverAction } from './server-action.js';

/** schemas/rescue.py: both optional, nothing else. */
const RescueBody = Type.Union([
  Type.Null(),
  Type.Object({ adminPass: Type.Optional(Type.String()), rescue_image_ref: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
]);

export const guestActions = [
  serverAction({
    key: 'pause',
    schema: NoArgs,
    policy: 'os_compute_api:os-pause-server:pause',
    run: ({ context, server, servers }) => servers.guest.pause(context, server),
  }),
  serverAction({
    key: 'unpause',
    schema: NoArgs,
    policy: 'os_compute_api:os-pause-server:unpause',
    run: ({ context, server, servers }) => servers.guest.unpause(context, server),
  }),
  serverAction({
    key: 'suspend',
    schema: NoArgs,
    policy: 'os_compute_api:os-suspend-server:suspend',
    run: ({ context, server, servers }) => servers.guest.suspend(context, server),
  }),
  serverAction({
    key: 'resume',
    schema: NoArgs,
    policy: 'os_compute_api:os-suspend-server:resume',
    run: ({ context, server, servers }) => servers.guest.resume(context, server),
  }),
  serverAction({
    key: 'rescue',
    schema: RescueBody,
    policy: 'os_compute_api:os-rescue',
    run: async ({ request, context, server, servers, body }) => {
      const adminPass = await servers.guest.rescue(context, server, {
        allowVolumeBacked: request.microversion.isAtLeast('2.87'),
        ...(body?.adminPass === undefined ? {} : { adminPass: body.adminPass }),
        ...(body?.rescue_image_ref === undefined ? {} : { rescueImageRef: body.rescue_image_ref }),
      });
      // Nova answers 200, not 202, for backwards compatibility.
      return { status: 200, body: { adminPass } };
    },
  }),
  serverAction({
    key: 'unrescue',
    schema: NoArgs,
    policy: 'os_compute_api:os-unrescue',
    run: ({ context, server, servers }) => servers.guest.unrescue(context, server),
  }),
];
