/**
 * /v3/{project_id}/attachments (3.27+, cinder/api/v3/attachments.py): create (reserve, and connect
 * when a connector comes along), list (summary and detail), show, update (connect a host), delete
 * (disconnect; the answer lists what still holds the volume) and os-complete (3.44).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { AttachmentFilter } from '../../db/attachment-store.js';
import type { VolumeConnector } from '../../volumes/attachment.js';
import { page, parseBoolean, parseLimit } from '../../volumes/volume-list-query.js';
import { ATTACH_MODE_ARG, ATTACHMENT_COMPLETE, ATTACHMENTS_API } from '../microversions.js';
import { renderAttachment } from './render.js';
import { authorize, checkProject, MAX_LIMIT, ownTarget, queryOf, loadAuthorized, type VolumeRouteDeps } from './route-deps.js';

const Uuid = Type.String({ format: 'uuid' });

const AttachmentCreateBody = Type.Object(
  {
    attachment: Type.Object(
      {
        instance_uuid: Type.Optional(Uuid),
        connector: Type.Optional(Type.Unsafe<VolumeConnector | null>({ type: ['object', 'null'] })),
        volume_uuid: Uuid,
        mode: Type.Optional(Type.Union([Type.Literal('rw'), Type.Literal('ro')])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const AttachmentUpdateBody = Type.Object(
  { attachment: Type.Object({ connector: Type.Unsafe<VolumeConnector>({ type: 'object', minProperties: 1 }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

const CompleteBody = Type.Object({ 'os-complete': Type.Unsafe<unknown>({}) }, { additionalProperties: false });

const Project = Type.Object({ project_id: Type.String() });
const AttachmentParams = Type.Object({ project_id: Type.String(), attachment_id: Type.String() });

/** Cinder's allowed filters (volume_id, status, instance_id, attach_status); an admin's all_tenants widens. */
function filterOf(request: FastifyRequest, query: Record<string, string>): AttachmentFilter {
  const isAdmin = request.requestContext.isAdmin === true;
  const allTenants = isAdmin && parseBoolean(query['all_tenants'], 'all_tenants') === true;
  const status = query['status'] ?? query['attach_status'];
  return {
    ...(allTenants ? {} : { projectId: request.requestContext.projectId ?? '' }),
    ...(query['volume_id'] === undefined ? {} : { volumeId: query['volume_id'] }),
    ...(query['instance_id'] === undefined ? {} : { instanceUuid: query['instance_id'] }),
    ...(status === undefined ? {} : { status }),
  };
}

export function attachmentRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { attachments } = deps;
  return async (app) => {
    app.post('/v3/:project_id/attachments', { schema: { params: Project, body: AttachmentCreateBody } }, async (request) => {
      ATTACHMENTS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      const body = request.body.attachment;
      if (body.mode !== undefined && !ATTACH_MODE_ARG.select(request.microversion)) {
        throw new BadRequest("Invalid input for field/attribute attachment. Value: mode. Additional properties are not allowed ('mode' was unexpected)");
      }
      const volume = await deps.volumes.get(request.requestContext, body.volume_uuid);
      authorize(deps, request, 'volume:attachment_create', { project_id: volume.projectId });
      const created = await attachments.create(request.requestContext, {
        volumeId: volume.id,
        instanceUuid: body.instance_uuid ?? null,
        ...(body.connector ? { connector: body.connector } : {}),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
      });
      return { attachment: renderAttachment(created, true) };
    });

    const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      ATTACHMENTS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume:get_all', ownTarget(request));
      const query = queryOf(request);
      const limit = parseLimit(query['limit']);
      const marker = query['marker'];
      const all = await attachments.list(filterOf(request, query));
      const { items } = page(all, { ...(limit === undefined ? {} : { limit }), ...(marker === undefined ? {} : { marker }) }, MAX_LIMIT, (id) => new BadRequest(`Marker ${id} could not be found.`));
      return { attachments: items.map((attachment) => renderAttachment(attachment, detail)) };
    };
    app.get('/v3/:project_id/attachments', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/attachments/detail', { schema: { params: Project } }, list(true));

    app.get('/v3/:project_id/attachments/:attachment_id', { schema: { params: AttachmentParams } }, async (request) => {
      ATTACHMENTS_API.select(request.microversion);
      const attachment = await loadAuthorized(deps, request, 'volume:get', () => attachments.get(request.requestContext, request.params.attachment_id));
      return { attachment: renderAttachment(attachment, true) };
    });

    app.put('/v3/:project_id/attachments/:attachment_id', { schema: { params: AttachmentParams, body: AttachmentUpdateBody } }, async (request) => {
      ATTACHMENTS_API.select(request.microversion);
      const existing = await loadAuthorized(deps, request, 'volume:attachment_update', () => attachments.get(request.requestContext, request.params.attachment_id));
      const updated = await attachments.update(request.requestContext, existing.id, request.body.attachment.connector);
      return { attachment: renderAttachment(updated, true) };
    });

    app.delete('/v3/:project_id/attachments/:attachment_id', { schema: { params: AttachmentParams } }, async (request) => {
      ATTACHMENTS_API.select(request.microversion);
      const existing = await loadAuthorized(deps, request, 'volume:attachment_delete', () => attachments.get(request.requestContext, request.params.attachment_id));
      const remaining = await attachments.delete(request.requestContext, existing.id);
      return { attachments: remaining.map((attachment) => renderAttachment(attachment, false)) };
    });

    app.post('/v3/:project_id/attachments/:attachment_id/action', { schema: { params: AttachmentParams, body: CompleteBody } }, async (request, reply) => {
      ATTACHMENT_COMPLETE.select(request.microversion);
      const existing = await loadAuthorized(deps, request, 'volume:attachment_complete', () => attachments.get(request.requestContext, request.params.attachment_id));
      await attachments.complete(request.requestContext, existing.id);
      return reply.code(204).send();
    });
  };
}
