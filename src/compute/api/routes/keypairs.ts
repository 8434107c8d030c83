import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { renderCreatedKeyPair, renderKeyPair, renderKeyPairBrief } from './render.js';
import { authorize, projectIdOf, userIdOf, type ComputeRouteDeps } from './route-deps.js';

/** keypairs.create (2.1): names of letters, digits, `_`, `-` and inner spaces. */
export const KeyPairCreateBody = Type.Object(
  {
    keypair: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9_ -]+(?<! )$' }),
        public_key: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const KeyPairParams = Type.Object({ keypair_name: Type.String() });

/** /v2.1/os-keypairs at 2.1: the caller's own key pairs (other users' need 2.10). */
export function keyPairRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { keypairs } = deps;
  return async (app) => {
    app.get('/v2.1/os-keypairs', async (request) => {
      const userId = userIdOf(request);
      authorize(deps, request, 'os_compute_api:os-keypairs:index', { user_id: userId });
      const list = await keypairs.list(userId);
      return { keypairs: list.map((keypair) => ({ keypair: renderKeyPairBrief(keypair) })) };
    });

    app.get('/v2.1/os-keypairs/:keypair_name', { schema: { params: KeyPairParams } }, async (request) => {
      const userId = userIdOf(request);
      authorize(deps, request, 'os_compute_api:os-keypairs:show', { user_id: userId });
      return { keypair: renderKeyPair(await keypairs.get(userId, request.params.keypair_name)) };
    });

    app.post('/v2.1/os-keypairs', { schema: { body: KeyPairCreateBody } }, async (request) => {
      const userId = userIdOf(request);
      authorize(deps, request, 'os_compute_api:os-keypairs:create', { user_id: userId });
      const { name, public_key: publicKey } = request.body.keypair;
      const created = await keypairs.create({ userId, projectId: projectIdOf(request) }, name, publicKey);
      return { keypair: renderCreatedKeyPair(created) };
    });

    app.delete('/v2.1/os-keypairs/:keypair_name', { schema: { params: KeyPairParams } }, async (request, reply) => {
      const userId = userIdOf(request);
      authorize(deps, request, 'os_compute_api:os-keypairs:delete', { user_id: userId });
      await keypairs.delete(userId, request.params.keypair_name);
      return reply.code(202).send();
    });
  };
}
