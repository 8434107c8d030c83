import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MEMBER_STATUSES, type MemberStatus } from '../../images/image.js';
import { ImageIdParams } from './images.js';
import { renderMember } from './render.js';
import { authorizeOnImage, type ImageRouteDeps } from './route-deps.js';

// Glance reads only `member` and `status` from these bodies; the SDK sends the whole member back.
export const MemberCreateBody = Type.Object({ member: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: true });
export const MemberUpdateBody = Type.Object(
  { status: Type.Unsafe<MemberStatus>({ type: 'string', enum: [...MEMBER_STATUSES] }) },
  { additionalProperties: true },
);
export const MemberParams = Type.Object({ image_id: Type.String(), member_id: Type.String() });

/** /v2/images/{id}/members: the owner shares, the member project accepts or rejects. */
export function imageMemberRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { images } = deps;
  const { members } = images;
  return async (app) => {
    app.post('/v2/images/:image_id/members', { schema: { params: ImageIdParams, body: MemberCreateBody } }, async (request) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'add_member', image, request.body.member);
      return renderMember(await members.add(request.requestContext, image.id, request.body.member));
    });

    app.get('/v2/images/:image_id/members', { schema: { params: ImageIdParams } }, async (request) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'get_members', image);
      const list = await members.list(request.requestContext, image.id);
      return { members: list.map(renderMember), schema: '/v2/schemas/members' };
    });

    app.get('/v2/images/:image_id/members/:member_id', { schema: { params: MemberParams } }, async (request) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'get_member', image, request.params.member_id);
      return renderMember(await members.get(request.requestContext, image.id, request.params.member_id));
    });

    app.put('/v2/images/:image_id/members/:member_id', { schema: { params: MemberParams, body: MemberUpdateBody } }, async (request) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'modify_member', image, request.params.member_id);
      return renderMember(await members.setStatus(request.requestContext, image.id, request.params.member_id, request.body.status));
    });

    app.delete('/v2/images/:image_id/members/:member_id', { schema: { params: MemberParams } }, async (request, reply) => {
      const image = await images.get(request.requestContext, request.params.image_id);
      authorizeOnImage(deps, request, 'delete_member', image, request.params.member_id);
      await members.remove(request.requestContext, image.id, request.params.member_id);
      return reply.code(204).send();
    });
  };
}
