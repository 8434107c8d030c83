import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { SNAPSHOT_SORT_KEYS } from '../../db/volume-store.js';
import { page, parseBoolean, parsePage, parseSortOf } from '../../volumes/volume-list-query.js';
import { SNAPSHOT_STATUSES, type SnapshotStatus } from '../../volumes/volume.js';
import { SNAPSHOT_CONSUMES_QUOTA, SNAPSHOT_IN_USE } from '../microversions.js';
import { metadataItems } from './metadata-items.js';
import { renderSnapshot } from './render.js';
import { allowed, authorize, checkProject, MAX_LIMIT, ownTarget, queryOf, loadAuthorized, nameChanges, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, Metadata, NullableMetadata, NullableString, toBoolean } from './schemas.js';

const SnapshotCreateBody = Type.Object(
  {
    snapshot: Type.Object(
      {
        // Cinder takes null and answers 404 for it (no volume None).
        volume_id: Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uuid' }),
        name: Type.Optional(NullableString()),
        description: Type.Optional(NullableString()),
        display_name: Type.Optional(NullableString()),
        display_description: Type.Optional(NullableString()),
        force: Type.Optional(CinderBoolean),
        metadata: Type.Optional(NullableMetadata),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const SnapshotUpdateBody = Type.Object(
  {
    snapshot: Type.Object(
      { name: Type.Optional(NullableString()), description: Type.Optional(NullableString()), display_name: Type.Optional(NullableString()), display_description: Type.Optional(NullableString()) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);
/** One action: os-reset_status and os-force_delete (admin), os-update_snapshot_status (the snapshot's driver). */
const SnapshotActionBody = Type.Object(
  {
    'os-reset_status': Type.Optional(Type.Object({ status: Type.String() }, { additionalProperties: false })),
    'os-force_delete': Type.Optional(Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'] })),
    'os-update_snapshot_status': Type.Optional(Type.Object({ status: Type.String(), progress: Type.Optional(Type.String()) }, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
const MetadataBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });
const MetaItemBody = Type.Object({ meta: Metadata }, { additionalProperties: false });
const MetaKeyParams = Type.Object({ project_id: Type.String(), snapshot_id: Type.String(), key: Type.String() });
const Project = Type.Object({ project_id: Type.String() });
const SnapshotParams = Type.Object({ project_id: Type.String(), snapshot_id: Type.String() });

function isSnapshotStatus(value: string): value is SnapshotStatus {
  return (SNAPSHOT_STATUSES as readonly string[]).includes(value);
}

/** /v3/{project_id}/snapshots: create, list (summary and detail), show, update, delete, metadata, os-reset_status. */
/** Cinder's SNAPSHOT_IN_USE_FLAG_MSG. */
const SNAPSHOT_IN_USE_FLAG_MSG =
  "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.";

export function snapshotRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { snapshots } = deps;
  const extended = (request: FastifyRequest, projectId: string) => allowed(deps, request, 'volume_extension:extended_snapshot_attributes', { project_id: projectId });
  const metadataItem = metadataItems(deps, {
    policies: { get: 'volume:get_snapshot_metadata', update: 'volume:update_snapshot_metadata', delete: 'volume:delete_snapshot_metadata' },
    get: (context, id) => snapshots.get(context, id),
    setMetadata: (context, id, metadata, replace) => snapshots.setMetadata(context, id, metadata, replace),
    deleteMetadataKey: (context, id, key) => snapshots.deleteMetadataKey(context, id, key),
  });
  return async (app) => {
    app.post('/v3/:project_id/snapshots', { schema: { params: Project, body: SnapshotCreateBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      const body = request.body.snapshot;
      if (body.volume_id === null) throw new NotFound('Volume None could not be found.');
      const volume = await deps.volumes.get(request.requestContext, body.volume_id);
      authorize(deps, request, 'volume:create_snapshot', { project_id: volume.projectId });
      const name = body.name ?? body.display_name;
      const description = body.description ?? body.display_description;
      const force = body.force === undefined ? undefined : toBoolean(body.force);
      // 3.66: an in-use volume is snapshotted without asking; force false says otherwise (400), force true is ignored.
      const inUseAllowed = SNAPSHOT_IN_USE.select(request.microversion);
      if (inUseAllowed && force === false) throw new BadRequest(SNAPSHOT_IN_USE_FLAG_MSG);
      const snapshot = await snapshots.create(request.requestContext, {
        volumeId: volume.id,
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(body.metadata ? { metadata: body.metadata } : {}),
        ...(inUseAllowed ? { force: true } : force === undefined ? {} : { force }),
      });
      return reply.code(202).send({ snapshot: renderSnapshot(snapshot, false, SNAPSHOT_CONSUMES_QUOTA.select(request.microversion)) });
    });

    /** Cinder's extended attributes decorate show and detail only. */
    const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume:get_all_snapshots', ownTarget(request));
      const query = queryOf(request);
      const isAdmin = request.requestContext.isAdmin === true;
      const allTenants = isAdmin && parseBoolean(query['all_tenants'], 'all_tenants') === true;
      const name = query['name'] ?? query['display_name'];
      const paging = parsePage(query);
      const filter = {
        ...(allTenants ? {} : { projectId: isAdmin && query['project_id'] !== undefined ? query['project_id'] : request.params.project_id }),
        ...(query['volume_id'] === undefined ? {} : { volumeId: query['volume_id'] }),
        ...(name === undefined ? {} : { name }),
        ...(query['status'] === undefined ? {} : { status: query['status'] }),
      };
      const all = await snapshots.list(filter, parseSortOf(query, SNAPSHOT_SORT_KEYS));
      const { items } = page(all, paging, MAX_LIMIT, (id) => new NotFound(`Marker ${id} could not be found.`));
      const show = detail && extended(request, request.params.project_id);
      const consumesQuota = SNAPSHOT_CONSUMES_QUOTA.select(request.microversion);
      return { snapshots: items.map((snapshot) => renderSnapshot(snapshot, show, consumesQuota)) };
    };
    app.get('/v3/:project_id/snapshots', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/snapshots/detail', { schema: { params: Project } }, list(true));

    app.get('/v3/:project_id/snapshots/:snapshot_id', { schema: { params: SnapshotParams } }, async (request) => {
      const snapshot = await loadAuthorized(deps, request, 'volume:get_snapshot', () => snapshots.get(request.requestContext, request.params.snapshot_id));
      return { snapshot: renderSnapshot(snapshot, extended(request, snapshot.projectId), SNAPSHOT_CONSUMES_QUOTA.select(request.microversion)) };
    });

    app.put('/v3/:project_id/snapshots/:snapshot_id', { schema: { params: SnapshotParams, body: SnapshotUpdateBody } }, async (request) => {
      const existing = await loadAuthorized(deps, request, 'volume:update_snapshot', () => snapshots.get(request.requestContext, request.params.snapshot_id));
      const snapshot = await snapshots.update(request.requestContext, existing.id, nameChanges(request.body.snapshot));
      return { snapshot: renderSnapshot(snapshot, false, SNAPSHOT_CONSUMES_QUOTA.select(request.microversion)) };
    });

    app.delete('/v3/:project_id/snapshots/:snapshot_id', { schema: { params: SnapshotParams } }, async (request, reply) => {
      const snapshot = await loadAuthorized(deps, request, 'volume:delete_snapshot', () => snapshots.get(request.requestContext, request.params.snapshot_id));
      await snapshots.delete(request.requestContext, snapshot.id);
      return reply.code(202).send();
    });

    app.post('/v3/:project_id/snapshots/:snapshot_id/action', { schema: { params: SnapshotParams, body: SnapshotActionBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      const snapshot = await snapshots.get(request.requestContext, request.params.snapshot_id);
      const target = { project_id: snapshot.projectId };
      const body = request.body;
      if (body['os-update_snapshot_status'] !== undefined) {
        authorize(deps, request, 'snapshot_extension:snapshot_actions:update_snapshot_status', target);
        const { status, progress } = body['os-update_snapshot_status'];
        await snapshots.updateStatus(request.requestContext, snapshot.id, status, progress);
      } else if (body['os-reset_status'] !== undefined) {
        authorize(deps, request, 'volume_extension:snapshot_admin_actions:reset_status', target);
        const status = body['os-reset_status'].status.toLowerCase();
        if (!isSnapshotStatus(status)) throw new BadRequest(`Invalid input received: Invalid status '${status}'`);
        await snapshots.resetStatus(request.requestContext, snapshot.id, status);
      } else {
        authorize(deps, request, 'volume_extension:snapshot_admin_actions:force_delete', target);
        await snapshots.delete(request.requestContext, snapshot.id, { force: true });
      }
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/snapshots/:snapshot_id/metadata', { schema: { params: SnapshotParams } }, async (request) => {
      const snapshot = await loadAuthorized(deps, request, 'volume:get_snapshot_metadata', () => snapshots.get(request.requestContext, request.params.snapshot_id));
      return { metadata: snapshot.metadata };
    });

    const setMetadata = (replace: boolean) => async (request: FastifyRequest<{ Params: { project_id: string; snapshot_id: string }; Body: { metadata: Record<string, string> } }>) => {
      const snapshot = await loadAuthorized(deps, request, 'volume:update_snapshot_metadata', () => snapshots.get(request.requestContext, request.params.snapshot_id));
      return { metadata: await snapshots.setMetadata(request.requestContext, snapshot.id, request.body.metadata, replace) };
    };
    app.post('/v3/:project_id/snapshots/:snapshot_id/metadata', { schema: { params: SnapshotParams, body: MetadataBody } }, setMetadata(false));
    app.put('/v3/:project_id/snapshots/:snapshot_id/metadata', { schema: { params: SnapshotParams, body: MetadataBody } }, setMetadata(true));

    const itemPath = '/v3/:project_id/snapshots/:snapshot_id/metadata/:key';
    app.get(itemPath, { schema: { params: MetaKeyParams } }, (request) => metadataItem.show(request, request.params.snapshot_id));
    app.put(itemPath, { schema: { params: MetaKeyParams, body: MetaItemBody } }, (request) => metadataItem.set(request, request.params.snapshot_id, request.body.meta));
    app.delete(itemPath, { schema: { params: MetaKeyParams } }, async (request, reply) => {
      await metadataItem.remove(request, request.params.snapshot_id);
      return reply.code(200).send();
    });
  };
}
