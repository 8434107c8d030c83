/**
 * /v2.1/servers/{id}/os-volume_attachments: Nova's volume attachments controller (list with
 * limit/offset, show, create, update, delete; swap is not offered). The request schema and the view
 * change by microversion: tag accepted from 2.49 and shown from 2.70, delete_on_termination from 2.79,
 * an update of delete_on_termination from 2.85, attachment_id and bdm_uuid instead of id from 2.89.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { Server } from '../../servers/server.js';
import type { ServersService } from '../../servers/servers-service.js';
import type { BlockDeviceMapping } from '../../volumes/block-device.js';
import { NovaTag } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const Uuid = Type.String({ format: 'uuid' });
/** schemas/volumes.py device_name. */
const Device = Type.Unsafe<string | null>({ type: ['string', 'null'], pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' });

function createSchema(extra: Record<string, TSchema>) {
  return Type.Object(
    { volumeAttachment: Type.Object({ volumeId: Uuid, device: Type.Optional(Device), ...extra }, { additionalProperties: false }) },
    { additionalProperties: false },
  );
}

interface CreateBody {
  readonly volumeAttachment: { readonly volumeId: string; readonly device?: string | null; readonly tag?: string; readonly delete_on_termination?: boolean };
}

/** schemas/volumes.py create_volume_attachment, _v249 (tag), _v279 (delete_on_termination). */
const CREATE = versioned<(body: unknown) => CreateBody>([
  { min: '2.1', max: '2.48', value: bodyValidator(createSchema({})) },
  { min: '2.49', max: '2.78', value: bodyValidator(createSchema({ tag: Type.Optional(NovaTag) })) },
  { min: '2.79', value: bodyValidator(createSchema({ tag: Type.Optional(NovaTag), delete_on_termination: Type.Optional(Type.Boolean()) })) },
]);

/** schemas/volumes.py update_volume_attachment_v285: the view's fields, repeated (only delete_on_termination may change). */
const UpdateBody = Type.Object(
  {
    volumeAttachment: Type.Object(
      {
        volumeId: Uuid,
        device: Type.Optional(Device),
        tag: Type.Optional(NovaTag),
        delete_on_termination: Type.Optional(Type.Boolean()),
        serverId: Type.Optional(Uuid),
        id: Type.Optional(Uuid),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
type UpdateRequest = Static<typeof UpdateBody>;
/** schemas/volumes.py update_volume_attachment (a swap: the new volumeId only) until 2.84, then _v285. */
const UPDATE = versioned<(body: unknown) => UpdateRequest>([
  { min: '2.1', max: '2.84', value: bodyValidator(Type.Object({ volumeAttachment: Type.Object({ volumeId: Uuid }, { additionalProperties: false }) }, { additionalProperties: false })) },
  { min: '2.85', value: bodyValidator(UpdateBody) },
]);

/** What the attachment view shows by version (_translate_attachment_detail_view). */
const VIEW = versioned([
  { min: '2.1', max: '2.69', value: { tag: false, deleteOnTermination: false, attachmentIds: false } },
  { min: '2.70', max: '2.78', value: { tag: true, deleteOnTermination: false, attachmentIds: false } },
  { min: '2.79', max: '2.88', value: { tag: true, deleteOnTermination: true, attachmentIds: false } },
  { min: '2.89', value: { tag: true, deleteOnTermination: true, attachmentIds: true } },
]);

const AttachmentParams = Type.Object({ server_id: Type.String(), volume_id: Type.String() });

function render(request: FastifyRequest, server: Server, mapping: BlockDeviceMapping): Record<string, unknown> {
  const view = VIEW.select(request.microversion);
  return {
    ...(view.attachmentIds ? {} : { id: mapping.volumeId }),
    serverId: server.row.uuid,
    volumeId: mapping.volumeId,
    ...(mapping.deviceName === null ? {} : { device: mapping.deviceName }),
    ...(view.tag ? { tag: mapping.tag } : {}),
    ...(view.deleteOnTermination ? { delete_on_termination: mapping.deleteOnTermination } : {}),
    ...(view.attachmentIds ? { attachment_id: mapping.attachmentId, bdm_uuid: mapping.uuid } : {}),
  };
}

type Rule = 'index' | 'show' | 'create' | 'update' | 'delete';

async function serverFor(deps: ComputeRouteDeps, servers: ServersService, request: FastifyRequest, serverId: string, rule: Rule): Promise<Server> {
  const server = await servers.get(request.requestContext, serverId);
  authorize(deps, request, `os_compute_api:os-volumes-attachments:${rule}`, { project_id: server.row.project_id });
  return server;
}

/** Nova's limit/offset paging of the attachments list (common.limited). */
function limited<T>(items: readonly T[], query: Record<string, string | undefined>): T[] {
  const parse = (name: string): number | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new BadRequest(`${name} param must be an integer`);
    return Number(value);
  };
  const offset = parse('offset') ?? 0;
  const limit = parse('limit') ?? 1000;
  return items.slice(offset, offset + Math.min(limit, 1000));
}

export function volumeAttachmentRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  const attachments = servers.volumeAttachments;
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-volume_attachments', { schema: { params: ServerParams } }, async (request) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'index');
      const mappings = limited(await attachments.list(server), request.query as Record<string, string | undefined>);
      return { volumeAttachments: mappings.map((mapping) => render(request, server, mapping)) };
    });

    app.get('/v2.1/servers/:server_id/os-volume_attachments/:volume_id', { schema: { params: AttachmentParams } }, async (request) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'show');
      return { volumeAttachment: render(request, server, await attachments.show(server, request.params.volume_id)) };
    });

    app.post('/v2.1/servers/:server_id/os-volume_attachments', { schema: { params: ServerParams } }, async (request) => {
      const body = CREATE.select(request.microversion)(request.body).volumeAttachment;
      const server = await serverFor(deps, servers, request, request.params.server_id, 'create');
      const mapping = await attachments.attach(request.requestContext, server, {
        volumeId: body.volumeId,
        ...(body.device === undefined ? {} : { device: body.device }),
        ...(body.tag === undefined ? {} : { tag: body.tag }),
        ...(body.delete_on_termination === undefined ? {} : { deleteOnTermination: body.delete_on_termination }),
        multiattachAllowed: request.microversion.isAtLeast('2.60'),
      });
      return { volumeAttachment: render(request, server, mapping) };
    });

    // Before 2.85 a PUT is a swap; from 2.85 it updates the attachment, then swaps when it names another volume. The swap is Nova's admin-only one, not offered here.
    app.put('/v2.1/servers/:server_id/os-volume_attachments/:volume_id', { schema: { params: AttachmentParams } }, async (request, reply) => {
      const { volume_id: volumeId } = request.params;
      const body = UPDATE.select(request.microversion)(request.body).volumeAttachment;
      const context = request.requestContext;
      const server = await servers.get(context, request.params.server_id);
      const onlySwap = !request.microversion.isAtLeast('2.85');
      if (onlySwap || body.volumeId !== volumeId) authorize(deps, request, 'os_compute_api:os-volumes-attachments:swap', {});
      else authorize(deps, request, 'os_compute_api:os-volumes-attachments:update', { project_id: server.row.project_id });
      if (onlySwap) return attachments.swap(context, server, volumeId, body.volumeId);
      await attachments.update(server, volumeId, {
        ...(body.id === undefined ? {} : { id: body.id }),
        ...(body.serverId === undefined ? {} : { serverId: body.serverId }),
        ...(body.device === undefined ? {} : { device: body.device }),
        ...(body.tag === undefined ? {} : { tag: body.tag }),
        ...(body.delete_on_termination === undefined ? {} : { deleteOnTermination: body.delete_on_termination }),
      });
      if (body.volumeId !== volumeId) await attachments.swap(context, server, volumeId, body.volumeId);
      return reply.code(202).send();
    });

    app.delete('/v2.1/servers/:server_id/os-volume_attachments/:volume_id', { schema: { params: AttachmentParams } }, async (request, reply) => {
      const server = await serverFor(deps, servers, request, request.params.server_id, 'delete');
      await attachments.detach(request.requestContext, server, request.params.volume_id);
      return reply.code(202).send();
    });
  };
}
