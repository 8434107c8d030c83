import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { OAuthConsumerRef } from '../../resources/oauth-consumers.js';
import { entityTarget, registerEntityRoutes } from './entity-routes.js';
import { collectionLinks } from './links.js';
import { renderEntity } from './render.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, Nullable } from './schema-types.js';

const ConsumerProperties = { description: Type.Optional(Nullable(Type.String({ maxLength: 64 }))) };

/** keystone/oauth1/schema.py: a description; other fields are kept as extra; an update may not set the secret. */
export const ConsumerCreateBody = Type.Object({ consumer: Type.Optional(Type.Object(ConsumerProperties, { additionalProperties: true })) });
export const ConsumerUpdateBody = Type.Object({
  consumer: Type.Object(ConsumerProperties, { additionalProperties: true, minProperties: 1, not: Type.Object({ secret: Type.Unknown() }, { required: ['secret'] }) }),
});

const COLLECTION = 'OS-OAUTH1/consumers';

/** Keystone's /v3/OS-OAUTH1/consumers: the administrator's OAuth1 consumers (CRUD only; no token flow). */
export function oauthConsumerRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { oauthConsumers } = deps.managers;
  const render = (ref: OAuthConsumerRef) => renderEntity(deps.publicUrl, COLLECTION, ref, { description: ref.description });

  return async (app) => {
    app.get(`/v3/${COLLECTION}`, async (request) => {
      authorize(deps, request, 'identity:list_consumers');
      return { consumers: (await oauthConsumers.list()).map(render), links: collectionLinks(deps.publicUrl, request) };
    });

    app.post(`/v3/${COLLECTION}`, { schema: { body: ConsumerCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'identity:create_consumer');
      const body = request.body.consumer ?? {};
      const { consumer, secret } = await oauthConsumers.create({ description: body.description, extra: extraOf(body, { ...ConsumerProperties, secret: true }) });
      return reply.code(201).send({ consumer: { ...render(consumer), secret } });
    });

    registerEntityRoutes(app, deps, {
      collection: COLLECTION,
      member: 'consumer',
      updateBody: ConsumerUpdateBody,
      properties: ConsumerProperties,
      render,
      target: entityTarget('consumer', (id) => oauthConsumers.get(id), render),
      get: (id) => oauthConsumers.get(id),
      update: (id, changes) => oauthConsumers.update(id, changes),
      delete: (id) => oauthConsumers.delete(id),
    });
  };
}
