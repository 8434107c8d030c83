import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, MEMBER_SCHEMA, MEMBERS_SCHEMA } from './glance-schemas.js';
import { METADEF_SCHEMAS } from './metadef-schemas.js';

/** GET /v2/schemas/{image,images,member,members} and /v2/schemas/metadefs/*: readable by any authenticated caller, as in Glance. */
export function schemaRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2/schemas/image', async () => IMAGE_SCHEMA);
    app.get('/v2/schemas/images', async () => IMAGES_SCHEMA);
    app.get('/v2/schemas/member', async () => MEMBER_SCHEMA);
    app.get('/v2/schemas/members', async () => MEMBERS_SCHEMA);
    app.get('/v2/schemas/metadefs/:schema', { schema: { params: Type.Object({ schema: Type.String({ maxLength: 40 }) }) } }, async (request) => {
      const schema = Object.hasOwn(METADEF_SCHEMAS, request.params.schema) ? METADEF_SCHEMAS[request.params.schema] : undefined;
      if (schema === undefined) throw new NotFound('The resource could not be found.');
      return schema;
    });
  };
}
