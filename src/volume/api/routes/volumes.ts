import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NotFound } from '../../../common/errors/errors.js';
import type { VolumeFilter } from '../../db/volume-store.js';
import { page, parseBoolean, parsePage, parseSort } from '../../volumes/volume-list-query.js';
import type { VolumeAttachmentRecord } from '../../volumes/attachment.js';
import { parseTimeComparison } from '../../volumes/time-comparison.js';
import type { Volume } from '../../volumes/volume.js';
import { TIME_COMPARISON_FILTERS, VOLUME_LIST_GROUP, VOLUME_SUMMARY, VOLUME_VIEW_FIELDS } from '../microversions.js';
import { renderVolume, renderVolumeSummary, type VolumeViewer } from './render.js';
import { allowed, authorize, checkProject, MAX_LIMIT, ownTarget, queryOf, loadAuthorized, nameChanges, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, NullableMetadata, NullableString, toBoolean, toSize, VolumeSizeOrNull } from './schemas.js';

const VolumeCreateBody = Type.Object(
  {
    volume: Type.Object(
      {
        name: Type.Optional(NullableString()),
        description: Type.Optional(NullableString()),
        display_name: Type.Optional(NullableString()),
        display_description: Type.Optional(NullableString()),
        volume_type: Type.Optional(NullableString()),
        metadata: Type.Optional(NullableMetadata),
        snapshot_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uuid' })),
        source_volid: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uuid' })),
        consistencygroup_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'] })),
        group_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'] })),
        size: Type.Optional(VolumeSizeOrNull),
        availability_zone: Type.Optional(NullableString()),
        multiattach: Type.Optional(CinderBoolean),
        image_id: Type.Optional(NullableString()),
        imageRef: Type.Optional(NullableString()),
      },
      { additionalProperties: true },
    ),
    'OS-SCH-HNT:scheduler_hints': Type.Optional(Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'] })),
  },
  { additionalProperties: false },
);

const VolumeUpdateBody = Type.Object(
  {
    volume: Type.Object(
      {
        name: Type.Optional(NullableString()),
        description: Type.Optional(NullableString()),
        display_name: Type.Optional(NullableString()),
        display_description: Type.Optional(NullableString()),
        metadata: Type.Optional(NullableMetadata),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Project = Type.Object({ project_id: Type.String() });
const VolumeParams = Type.Object({ project_id: Type.String(), volume_id: Type.String() });

/** The write answers' viewer: no extension attributes. */
const writeViewer = (deps: VolumeRouteDeps, request: FastifyRequest): VolumeViewer => ({
  base: deps.publicUrl,
  showTenant: false,
  showHost: false,
  showImageMetadata: false,
  fields: VOLUME_VIEW_FIELDS.select(request.microversion),
  isAdmin: request.requestContext.isAdmin === true,
});

export function viewerOf(deps: VolumeRouteDeps, request: FastifyRequest, projectId: string | undefined): VolumeViewer {
  const target = { project_id: projectId };
  return {
    base: deps.publicUrl,
    fields: VOLUME_VIEW_FIELDS.select(request.microversion),
    isAdmin: request.requestContext.isAdmin === true,
    showTenant: allowed(deps, request, 'volume_extension:volume_tenant_attribute', target),
    showHost: allowed(deps, request, 'volume_extension:volume_host_attribute', target),
    showImageMetadata: allowed(deps, request, 'volume_extension:volume_image_metadata:show', target),
  };
}

/** Volume type names by id, for the views. */
async function typeNames(deps: VolumeRouteDeps): Promise<Map<string, string>> {
  return new Map((await deps.types.listAll()).map((type) => [type.id, type.name]));
}

/** Cinder's list filters from the query: an admin's all_tenants/project_id widen or pick the project. */
function filterOf(request: FastifyRequest, query: Record<string, string>, projectId: string): VolumeFilter {
  const isAdmin = request.requestContext.isAdmin === true;
  const allTenants = isAdmin && parseBoolean(query['all_tenants'], 'all_tenants') === true;
  const project = isAdmin && query['project_id'] !== undefined ? query['project_id'] : allTenants ? undefined : projectId;
  const bootable = parseBoolean(query['bootable'], 'bootable');
  const name = query['name'] ?? query['display_name'];
  const groupId = VOLUME_LIST_GROUP.select(request.microversion) ? query['group_id'] : undefined;
  return {
    ...(groupId === undefined ? {} : { groupId }),
    ...(project === undefined ? {} : { projectId: project }),
    ...(name === undefined ? {} : { name }),
    ...(query['status'] === undefined ? {} : { status: query['status'] }),
    ...(query['availability_zone'] === undefined ? {} : { availabilityZone: query['availability_zone'] }),
    ...(bootable === undefined ? {} : { bootable }),
  };
}

/** The metadata filter (`metadata={"k": "v"}`) Cinder applies after the query. */
function metadataMatches(query: Record<string, string>): (volume: Volume) => boolean {
  const raw = query['metadata'];
  if (raw === undefined) return () => true;
  let wanted: Record<string, unknown>;
  try {
    wanted = JSON.parse(raw.replaceAll("'", '"')) as Record<string, unknown>;
  } catch {
    return () => false;
  }
  return (volume) => Object.entries(wanted).every(([key, value]) => volume.metadata[key] === String(value));
}

/** The created_at/updated_at comparisons (TIME_COMPARISON_FILTERS); below their version Cinder drops them. */
function timesMatch(request: FastifyRequest, query: Record<string, string>): (volume: Volume) => boolean {
  if (!TIME_COMPARISON_FILTERS.select(request.microversion)) return () => true;
  const created = query['created_at'] === undefined ? undefined : parseTimeComparison(query['created_at']);
  const updated = query['updated_at'] === undefined ? undefined : parseTimeComparison(query['updated_at']);
  return (volume) => (created === undefined || created(volume.createdAt)) && (updated === undefined || updated(volume.updatedAt));
}

/** /v3/{project_id}/volumes: create, list (summary and detail), show, update, delete. */
export function volumeRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { volumes } = deps;
  return async (app) => {
    app.post('/v3/:project_id/volumes', { schema: { params: Project, body: VolumeCreateBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      const body = request.body.volume;
      const imageRef = body.imageRef ?? body.image_id ?? undefined;
      authorize(deps, request, 'volume:create', ownTarget(request));
      if (imageRef !== undefined) authorize(deps, request, 'volume:create_from_image', ownTarget(request));
      const name = body.name ?? body.display_name;
      const description = body.description ?? body.display_description;
      const group = body.group_id ? await deps.groups.get(request.requestContext, body.group_id) : undefined;
      const volume = await volumes.create(request.requestContext, {
        ...(group === undefined ? {} : { group }),
        ...(body.size === undefined || body.size === null ? {} : { size: toSize(body.size) }),
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(body.metadata ? { metadata: body.metadata } : {}),
        ...(body.volume_type ? { volumeType: body.volume_type } : {}),
        ...(body.availability_zone ? { availabilityZone: body.availability_zone } : {}),
        ...(body.snapshot_id ? { snapshotId: body.snapshot_id } : {}),
        ...(body.source_volid ? { sourceVolid: body.source_volid } : {}),
        ...(imageRef ? { imageRef } : {}),
        ...(body.multiattach === undefined ? {} : { multiattach: toBoolean(body.multiattach) }),
      });
      const type = await deps.types.get(volume.volumeTypeId);
      return reply.code(202).send({ volume: renderVolume(volume, type.name, writeViewer(deps, request)) });
    });

    const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume:get_all', ownTarget(request));
      const query = queryOf(request);
      const paging = parsePage(query);
      const [metadata, times] = [metadataMatches(query), timesMatch(request, query)];
      const all = (await volumes.list(filterOf(request, query, request.params.project_id), parseSort(query))).filter((volume) => metadata(volume) && times(volume));
      const { items, full } = page(all, paging, MAX_LIMIT, (id) => new NotFound(`Marker ${id} could not be found.`));
      const viewer = viewerOf(deps, request, request.params.project_id);
      const names = detail ? await typeNames(deps) : new Map<string, string>();
      const attachments = detail ? await deps.attachments.ofVolumes(items.map((volume) => volume.id)) : new Map<string, VolumeAttachmentRecord[]>();
      const rendered = items.map((volume) =>
        detail ? renderVolume(volume, names.get(volume.volumeTypeId) ?? '', viewer, attachments.get(volume.id)) : renderVolumeSummary(volume, viewer),
      );
      const last = items.at(-1);
      const next =
        full && last !== undefined
          ? [{ rel: 'next', href: `${deps.publicUrl}/volume/v3/${request.params.project_id}/volumes${detail ? '/detail' : ''}?${new URLSearchParams({ ...query, marker: last.id }).toString()}` }]
          : undefined;
      return { volumes: rendered, ...(next === undefined ? {} : { volumes_links: next }) };
    };
    app.get('/v3/:project_id/volumes', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/volumes/detail', { schema: { params: Project } }, list(true));

    // Cinder's summary: the project's volumes (every project's for an admin's all_tenants), counted and summed.
    app.get('/v3/:project_id/volumes/summary', { schema: { params: Project } }, async (request) => {
      const { metadata } = VOLUME_SUMMARY.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume:get_all', ownTarget(request));
      const query = queryOf(request);
      const allTenants = request.requestContext.isAdmin === true && parseBoolean(query['all_tenants'], 'all_tenants') === true;
      const all = await volumes.list(allTenants ? {} : { projectId: request.params.project_id }, parseSort({}));
      const distinct = new Map<string, Set<string>>();
      for (const volume of all) for (const [key, value] of Object.entries(volume.metadata)) distinct.set(key, (distinct.get(key) ?? new Set()).add(value));
      return {
        'volume-summary': {
          total_count: all.length,
          total_size: all.reduce((sum, volume) => sum + volume.size, 0),
          ...(metadata ? { metadata: Object.fromEntries([...distinct].map(([key, values]) => [key, [...values]])) } : {}),
        },
      };
    });

    app.get('/v3/:project_id/volumes/:volume_id', { schema: { params: VolumeParams } }, async (request) => {
      const volume = await loadAuthorized(deps, request, 'volume:get', () => volumes.get(request.requestContext, request.params.volume_id));
      const type = await deps.types.get(volume.volumeTypeId).catch(() => undefined);
      const attachments = await deps.attachments.ofVolumes([volume.id]);
      return { volume: renderVolume(volume, type?.name ?? '', viewerOf(deps, request, volume.projectId), attachments.get(volume.id)) };
    });

    app.put('/v3/:project_id/volumes/:volume_id', { schema: { params: VolumeParams, body: VolumeUpdateBody } }, async (request) => {
      const existing = await loadAuthorized(deps, request, 'volume:update', () => volumes.get(request.requestContext, request.params.volume_id));
      const body = request.body.volume;
      const volume = await volumes.update(request.requestContext, existing.id, {
        ...nameChanges(body),
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      const type = await deps.types.get(volume.volumeTypeId).catch(() => undefined);
      const attachments = await deps.attachments.ofVolumes([volume.id]);
      return { volume: renderVolume(volume, type?.name ?? '', writeViewer(deps, request), attachments.get(volume.id)) };
    });

    app.delete('/v3/:project_id/volumes/:volume_id', { schema: { params: VolumeParams } }, async (request, reply) => {
      const volume = await loadAuthorized(deps, request, 'volume:delete', () => volumes.get(request.requestContext, request.params.volume_id));
      const cascade = parseBoolean(queryOf(request)['cascade'], 'cascade') === true;
      await volumes.delete(request.requestContext, volume.id, { cascade });
      return reply.code(202).send();
    });
  };
}
