import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ec2CredentialId, toEc2, type Ec2CredentialRef } from '../../resources/credentials.js';
import { collectionLinks, v3Url } from './links.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';

/** The body `openstack ec2 credentials create` and Tempest send: the project, as tenant_id. */
export const Ec2CredentialCreateBody = Type.Object({ tenant_id: Type.String({ maxLength: 64 }) }, { additionalProperties: true });
const UserParams = Type.Object({ userId: Type.String() });
const AccessParams = Type.Object({ userId: Type.String(), access: Type.String() });

/**
 * Keystone's OS-EC2 API, /v3/users/{user_id}/credentials/OS-EC2: a user's ec2 access/secret
 * pairs for a project, kept as /v3/credentials rows of type ec2 and found by access key.
 */
export function ec2CredentialRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { credentials } = deps.managers;
  const collection = (userId: string) => `/users/${userId}/credentials/OS-EC2`;
  const render = (ref: Ec2CredentialRef): Record<string, unknown> => ({
    ...ref,
    links: { self: v3Url(deps.publicUrl, `${collection(ref.user_id)}/${ref.access}`) },
  });
  /** Keystone's target: the path's user and the credential the access key names (a 404 before the policy check when there is none). */
  const accessTarget = async (userId: string, access: string) => ({ user_id: userId, target: { credential: await credentials.get(ec2CredentialId(access)) } });

  return async (app) => {
    app.get('/v3/users/:userId/credentials/OS-EC2', { schema: { params: UserParams } }, async (request) => {
      const { userId } = request.params;
      authorize(deps, request, 'identity:ec2_list_credentials', { user_id: userId, target: { credential: { user_id: userId } } });
      const refs = await credentials.listEc2(userId);
      return { credentials: refs.map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/users/:userId/credentials/OS-EC2', { schema: { params: UserParams, body: Ec2CredentialCreateBody } }, async (request, reply) => {
      const { userId } = request.params;
      authorize(deps, request, 'identity:ec2_create_credential', { user_id: userId, target: { credential: { user_id: userId } } });
      const ref = await credentials.createEc2(userId, request.body.tenant_id);
      return reply.code(201).send({ credential: render(ref) });
    });

    app.get('/v3/users/:userId/credentials/OS-EC2/:access', { schema: { params: AccessParams } }, async (request) => {
      const { userId, access } = request.params;
      authorize(deps, request, 'identity:ec2_get_credential', await accessTarget(userId, access));
      return { credential: render(toEc2(await credentials.getEc2(userId, access))) };
    });

    app.delete('/v3/users/:userId/credentials/OS-EC2/:access', { schema: { params: AccessParams } }, async (request, reply) => {
      const { userId, access } = request.params;
      authorize(deps, request, 'identity:ec2_delete_credential', await accessTarget(userId, access));
      await credentials.delete((await credentials.getEc2(userId, access)).id);
      return reply.code(204).send();
    });
  };
}
