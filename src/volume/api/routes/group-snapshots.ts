import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NotFound } from '../../../common/errors/errors.js';
import { GROUP_SNAPSHOT_STATUSES, type GroupSnapshot } from '../../volumes/group.js';
import { page, parseBoolean, parsePage } from '../../volumes/volume-list-query.js';
import { GROUP_SNAPSHOT_PROJECT_ID, GROUP_SNAPSHOT_RESET_STATUS, GROUP_SNAPSHOTS_API } from '../microversions.js';
import { cinderTime } from './render.js';
import { allowed, authorize, checkProject, loadAuthorized, MAX_LIMIT, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';
import { NullableString } from './schemas.js';

/** cinder/api/schemas/group_snapshots.py. */
const GroupSnapshotCreateBody = Type.Object(
  {
    group_snapshot: Type.Object(
      {
        group_id: Type.String({ format: 'uuid' }),
        name: Type.Optional(NullableString()),
        description: Type.Optional(NullableString()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const ResetStatusBody = Type.Object(
  { reset_status: Type.Object({ status: Type.Union(GROUP_SNAPSHOT_STATUSES.map((status) => Type.Literal(status))) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
const Project = Type.Object({ project_id: Type.String() });
const SnapshotParams = Type.Object({ project_id: Type.String(), group_snapshot_id: Type.String() });

/** 3.14's /group_snapshots (cinder/api/v3/group_snapshots.py): create, list, show, delete, and reset_status (3.19). */
export function groupSnapshotRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { groups } = deps;
  const detail = (request: FastifyRequest, snapshot: GroupSnapshot) => ({
    id: snapshot.id,
    group_id: snapshot.groupId,
    group_type_id: snapshot.groupTypeId,
    status: snapshot.status,
    created_at: cinderTime(snapshot.createdAt),
    name: snapshot.name,
    description: snapshot.description,
    ...(GROUP_SNAPSHOT_PROJECT_ID.select(request.microversion) && allowed(deps, request, 'group:group_snapshot_project_attribute', { project_id: snapshot.projectId })
      ? { project_id: snapshot.projectId }
      : {}),
  });
  const summary = (snapshot: GroupSnapshot) => ({ id: snapshot.id, name: snapshot.name, group_type_id: snapshot.groupTypeId });

  return async (app) => {
    app.post('/v3/:project_id/group_snapshots', { schema: { params: Project, body: GroupSnapshotCreateBody } }, async (request, reply) => {
      GROUP_SNAPSHOTS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      const body = request.body.group_snapshot;
      const group = await groups.get(request.requestContext, body.group_id);
      authorize(deps, request, 'group:create_group_snapshot', { project_id: group.projectId });
      const snapshot = await groups.createSnapshot(request.requestContext, {
        groupId: group.id,
        name: body.name?.trim() ?? null,
        description: body.description?.trim() ?? null,
      });
      return reply.code(202).send({ group_snapshot: summary(snapshot) });
    });

    const list = (withDetail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      GROUP_SNAPSHOTS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'group:get_all_group_snapshots', ownTarget(request));
      const query = queryOf(request);
      const all = await groups.listSnapshots(request.requestContext, parseBoolean(query['all_tenants'], 'all_tenants') === true);
      const { items } = page(all, parsePage(query), MAX_LIMIT, (id) => new NotFound(`Marker ${id} could not be found.`));
      return { group_snapshots: items.map((snapshot) => (withDetail ? detail(request, snapshot) : { id: snapshot.id, name: snapshot.name })) };
    };
    app.get('/v3/:project_id/group_snapshots', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/group_snapshots/detail', { schema: { params: Project } }, list(true));

    app.get('/v3/:project_id/group_snapshots/:group_snapshot_id', { schema: { params: SnapshotParams } }, async (request) => {
      GROUP_SNAPSHOTS_API.select(request.microversion);
      const snapshot = await loadAuthorized(deps, request, 'group:get_group_snapshot', () => groups.getSnapshot(request.requestContext, request.params.group_snapshot_id));
      return { group_snapshot: detail(request, snapshot) };
    });

    app.delete('/v3/:project_id/group_snapshots/:group_snapshot_id', { schema: { params: SnapshotParams } }, async (request, reply) => {
      GROUP_SNAPSHOTS_API.select(request.microversion);
      const snapshot = await loadAuthorized(deps, request, 'group:delete_group_snapshot', () => groups.getSnapshot(request.requestContext, request.params.group_snapshot_id));
      await groups.deleteSnapshot(request.requestContext, snapshot.id);
      return reply.code(202).send();
    });

    app.post('/v3/:project_id/group_snapshots/:group_snapshot_id/action', { schema: { params: SnapshotParams, body: ResetStatusBody } }, async (request, reply) => {
      GROUP_SNAPSHOT_RESET_STATUS.select(request.microversion);
      const snapshot = await loadAuthorized(deps, request, 'group:reset_group_snapshot_status', () => groups.getSnapshot(request.requestContext, request.params.group_snapshot_id));
      await groups.resetSnapshotStatus(request.requestContext, snapshot.id, request.body.reset_status.status);
      return reply.code(202).send();
    });
  };
}
