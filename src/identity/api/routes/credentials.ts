import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, unlessNotFound } from '../../../common/errors/errors.js';
import { EC2_TYPE, type CredentialRef } from '../../resources/credentials.js';
import { collectionLinks } from './links.js';
import { renderEntity } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams, Nullable, OptionalString } from './schema-types.js';

const CredentialProperties = {
  blob: Type.String(),
  type: Type.String({ maxLength: 255 }),
  user_id: Type.String({ maxLength: 64 }),
  project_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
};

/** keystone/credential/schema.py credential_create: blob, type and user_id; project_id too for ec2 (checked in the route). */
export const CredentialCreateBody = Type.Object({ credential: Type.Object(CredentialProperties, { additionalProperties: true }) });
export const CredentialUpdateBody = Type.Object({
  // An id may be sent when it is the credential's own (Keystone's _require_matching_id).
  credential: Type.Partial(Type.Object({ ...CredentialProperties, id: Type.String() }), { additionalProperties: true, minProperties: 1 }),
});
const CredentialListQuery = Type.Object({ user_id: OptionalString, type: OptionalString });

/**
 * Keystone's /v3/credentials. A credential's owner (its user_id) and the administrator may read
 * and change it; a list shows the caller only the credentials they may read. The blob is never logged.
 */
export function credentialRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { credentials } = deps.managers;
  const render = (ref: CredentialRef) =>
    renderEntity(deps.publicUrl, 'credentials', ref, { user_id: ref.user_id, project_id: ref.project_id, type: ref.type, blob: ref.blob });
  /** Keystone's target: the credential when it exists (its 404 comes after the policy check). */
  const credentialTarget = async (id: string) => {
    const credential = await unlessNotFound(() => credentials.get(id));
    return { target: credential === undefined ? {} : { credential: { ...credential.extra, ...credential } } };
  };
  const mayRead = (request: FastifyRequest, ref: CredentialRef) =>
    deps.policy.check('identity:get_credential', { target: { credential: ref } }, deps.credentialsOf(request));

  return async (app) => {
    app.get('/v3/credentials', { schema: { querystring: CredentialListQuery } }, async (request) => {
      // Keystone's target for a list: the caller's own credentials.
      authorize(deps, request, 'identity:list_credentials', { ...request.query, target: { credential: { user_id: deps.credentialsOf(request).user_id } } });
      const refs = await credentials.list(request.query);
      return { credentials: refs.filter((ref) => mayRead(request, ref)).map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post('/v3/credentials', { schema: { body: CredentialCreateBody } }, async (request, reply) => {
      const body = request.body.credential;
      authorize(deps, request, 'identity:create_credential', { target: { credential: body } });
      if (body.type === EC2_TYPE && (body.project_id === undefined || body.project_id === null)) {
        throw new BadRequest(`${JSON.stringify(body)} is not valid under any of the given schemas`);
      }
      const ref = await credentials.create({ ...body, extra: extraOf(body, CredentialProperties) });
      return reply.code(201).send({ credential: render(ref) });
    });

    app.get('/v3/credentials/:id', { schema: { params: IdParams } }, async (request) => {
      authorize(deps, request, 'identity:get_credential', await credentialTarget(request.params.id));
      return { credential: render(await credentials.get(request.params.id)) };
    });

    app.patch('/v3/credentials/:id', { schema: { params: IdParams, body: CredentialUpdateBody } }, async (request) => {
      const { id } = request.params;
      authorize(deps, request, 'identity:update_credential', await credentialTarget(id));
      const patch = request.body.credential;
      const current = await credentials.get(id);
      if (patch.id !== undefined && patch.id !== id) throw new BadRequest('Cannot change ID');
      // The credential as it would be: an owner may not hand it to another user.
      authorize(deps, request, 'identity:update_credential', { target: { credential: { ...current, ...patch } } });
      const ref = await credentials.update(id, { ...patch, extra: extraOf(patch, { ...CredentialProperties, id: true }) });
      return { credential: render(ref) };
    });

    app.delete('/v3/credentials/:id', { schema: { params: IdParams } }, async (request, reply) => {
      authorize(deps, request, 'identity:delete_credential', await credentialTarget(request.params.id));
      await credentials.delete(request.params.id);
      return reply.code(204).send();
    });
  };
}
