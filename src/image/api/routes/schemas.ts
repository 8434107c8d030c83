import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, MEMBER_SCHEMA, MEMBERS_SCHEMA } from './glance-schemas.js';

/** GET /v2/schemas/{image,images,member,members}: readable by any authenticated caller, as in Glance. */
export function schemaRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2/schemas/image', async () => IMAGE_SCHEMA);
    app.get('/v2/schemas/images', async () => IMAGES_SCHEMA);
    app.get('/v2/schemas/member', async () => MEMBER_SCHEMA);
    app.get('/v2/schemas/members', async () => MEMBERS_SCHEMA);
  };
}
