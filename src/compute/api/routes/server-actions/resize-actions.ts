/** resize, confirmResize, revertResize and migrate (cold; a target host from 2.56). */
import { Type } from '@sinclair/typebox';
import { NoArgs, serverAction } from './server-action.js';

const ResizeBody = Type.Object(
  {
    flavorRef: Type.Unsafe<string | number>({ type: ['string', 'integer'], minLength: 1 }),
    'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<'AUTO' | 'MANUAL'>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
  },
  { additionalProperties: false },
);

/** Nova validates migrate's body from 2.56 only; `host` before it is ignored. */
const MigrateBody = Type.Union([
  Type.Null(),
  Type.Object({ host: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])) }, { additionalProperties: false }),
]);

export const resizeActions = [
  serverAction({
    key: 'resize',
    schema: ResizeBody,
    policy: 'os_compute_api:servers:resize',
    run: ({ context, server, servers, body }) => servers.resize.resize(context, server, String(body.flavorRef), body['OS-DCF:diskConfig']),
  }),
  serverAction({
    key: 'confirmResize',
    schema: NoArgs,
    policy: 'os_compute_api:servers:confirm_resize',
    run: async ({ context, server, servers }) => {
      await servers.resize.confirmResize(context, server);
      return { status: 204 };
    },
  }),
  serverAction({
    key: 'revertResize',
    schema: NoArgs,
    policy: 'os_compute_api:servers:revert_resize',
    run: ({ context, server, servers }) => servers.resize.revertResize(context, server),
  }),
  serverAction({
    key: 'migrate',
    schema: MigrateBody,
    policy: 'os_compute_api:os-migrate-server:migrate',
    run: ({ request, context, server, servers, body }) => {
      const host = request.microversion.isAtLeast('2.56') ? (body?.host ?? undefined) : undefined;
      return servers.resize.migrate(context, server, host);
    },
  }),
];
