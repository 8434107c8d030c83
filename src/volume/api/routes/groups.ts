import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { GROUP_STATUSES, type Group, type GroupStatus } from '../../volumes/group.js';
import { page, parseBoolean, parsePage } from '../../volumes/volume-list-query.js';
import { cinderTime } from './render.js';
import { GROUP_RESET_STATUS, GROUP_SNAPSHOTS_API, GROUP_VIEW_FIELDS, GROUPS_API } from '../microversions.js';
import { allowed, authorize, checkProject, loadAuthorized, MAX_LIMIT, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, NullableString, toBoolean } from './schemas.js';

const UUID = { type: 'string', format: 'uuid' } as const;
/** Cinder's name_allow_zero_min_length and description. */
const Name = NullableString();
const Description = NullableString();

/** cinder/api/schemas/groups.py. */
const GroupCreateBody = Type.Object(
  {
    group: Type.Object(
      {
        name: Type.Optional(Name),
        description: Type.Optional(Description),
        group_type: Type.String({ minLength: 1, maxLength: 255 }),
        volume_types: Type.Array(Type.String({ maxLength: 255 }), { minItems: 1, uniqueItems: true }),
        availability_zone: Type.Optional(NullableString()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
/** Cinder's anyOf of the four keys is the service's "no valid name, description, add_volumes, or remove_volumes" 400. */
const GroupUpdateBody = Type.Object(
  {
    group: Type.Unsafe<{ name?: string | null; description?: string | null; add_volumes?: string | null; remove_volumes?: string | null }>({
      type: 'object',
      properties: { name: Name, description: Description, add_volumes: Description, remove_volumes: Description },
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);
const CreateFromSourceBody = Type.Object(
  {
    'create-from-src': Type.Unsafe<{ name?: string | null; description?: string | null; source_group_id?: string; group_snapshot_id?: string }>({
      type: 'object',
      properties: { name: Name, description: Description, source_group_id: UUID, group_snapshot_id: UUID },
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);
const GroupActionBody = Type.Union([
  Type.Object({ delete: Type.Object({ 'delete-volumes': Type.Optional(CinderBoolean) }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({ reset_status: Type.Object({ status: Type.String() }, { additionalProperties: false }) }, { additionalProperties: false }),
]);
const Project = Type.Object({ project_id: Type.String() });
const GroupParams = Type.Object({ project_id: Type.String(), group_id: Type.String() });

/** Cinder strips a group's name and description on create. */
const trimmed = (value: string | null | undefined): string | null => (value === undefined || value === null ? null : value.trim());

/** 3.13's /groups (cinder/api/v3/groups.py): create, list, show, update, delete and reset_status actions, create-from-src (3.14). */
export function groupRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { groups } = deps;
  const detail = async (request: FastifyRequest, group: Group) => {
    const fields = GROUP_VIEW_FIELDS.select(request.microversion);
    const listVolumes = fields.volumes && parseBoolean(queryOf(request)['list_volume'], 'list_volume') === true;
    return {
      id: group.id,
      status: group.status,
      availability_zone: group.availabilityZone,
      created_at: cinderTime(group.createdAt),
      name: group.name,
      description: group.description,
      group_type: group.groupTypeId,
      volume_types: group.volumeTypeIds,
      ...(fields.sources ? { group_snapshot_id: group.groupSnapshotId, source_group_id: group.sourceGroupId } : {}),
      ...(listVolumes ? { volumes: (await groups.volumesOf(group.id)).map((volume) => volume.id) } : {}),
      // Group replication is not offered: every group's is disabled.
      ...(fields.replicationStatus ? { replication_status: 'disabled' } : {}),
      ...(fields.projectId && allowed(deps, request, 'group:group_project_attribute', { project_id: group.projectId }) ? { project_id: group.projectId } : {}),
    };
  };
  const summary = (group: Group) => ({ id: group.id, name: group.name });

  return async (app) => {
    app.post('/v3/:project_id/groups', { schema: { params: Project, body: GroupCreateBody } }, async (request, reply) => {
      GROUPS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'group:create', ownTarget(request));
      const body = request.body.group;
      const group = await groups.create(request.requestContext, {
        name: trimmed(body.name),
        description: trimmed(body.description),
        groupType: body.group_type,
        volumeTypes: body.volume_types,
        availabilityZone: body.availability_zone ?? null,
      });
      return reply.code(202).send({ group: summary(group) });
    });

    app.post('/v3/:project_id/groups/action', { schema: { params: Project, body: CreateFromSourceBody } }, async (request, reply) => {
      GROUP_SNAPSHOTS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'group:create', ownTarget(request));
      const body = request.body['create-from-src'];
      // Cinder's schema: exactly one source (oneOf; ajv's strict mode wants it written out here).
      if ((body.group_snapshot_id === undefined) === (body.source_group_id === undefined)) {
        throw new BadRequest('Invalid input for field/attribute create-from-src. Exactly one of group_snapshot_id and source_group_id is required.');
      }
      const source = body.group_snapshot_id !== undefined ? { groupSnapshotId: body.group_snapshot_id } : { sourceGroupId: body.source_group_id ?? '' };
      const group = await groups.createFromSource(request.requestContext, { name: trimmed(body.name), description: trimmed(body.description) }, source);
      return reply.code(202).send({ group: summary(group) });
    });

    const list = (withDetail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      GROUPS_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'group:get_all', ownTarget(request));
      const query = queryOf(request);
      const all = await groups.list(request.requestContext, parseBoolean(query['all_tenants'], 'all_tenants') === true);
      const { items } = page(all, parsePage(query), MAX_LIMIT, (id) => new NotFound(`Marker ${id} could not be found.`));
      return { groups: withDetail ? await Promise.all(items.map((group) => detail(request, group))) : items.map(summary) };
    };
    app.get('/v3/:project_id/groups', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/groups/detail', { schema: { params: Project } }, list(true));

    app.get('/v3/:project_id/groups/:group_id', { schema: { params: GroupParams } }, async (request) => {
      GROUPS_API.select(request.microversion);
      const group = await loadAuthorized(deps, request, 'group:get', () => groups.get(request.requestContext, request.params.group_id));
      return { group: await detail(request, group) };
    });

    app.put('/v3/:project_id/groups/:group_id', { schema: { params: GroupParams, body: GroupUpdateBody } }, async (request, reply) => {
      GROUPS_API.select(request.microversion);
      const group = await loadAuthorized(deps, request, 'group:update', () => groups.get(request.requestContext, request.params.group_id));
      const body = request.body.group;
      await groups.update(request.requestContext, group.id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.add_volumes ? { addVolumes: body.add_volumes } : {}),
        ...(body.remove_volumes ? { removeVolumes: body.remove_volumes } : {}),
      });
      return reply.code(202).send();
    });

    app.post('/v3/:project_id/groups/:group_id/action', { schema: { params: GroupParams, body: GroupActionBody } }, async (request, reply) => {
      GROUPS_API.select(request.microversion);
      const body = request.body;
      if ('delete' in body) {
        const group = await loadAuthorized(deps, request, 'group:delete', () => groups.get(request.requestContext, request.params.group_id));
        const deleteVolumes = body.delete['delete-volumes'];
        await groups.delete(request.requestContext, group.id, deleteVolumes === undefined ? false : toBoolean(deleteVolumes));
      } else {
        GROUP_RESET_STATUS.select(request.microversion);
        const status = body.reset_status.status.toLowerCase();
        if (!(GROUP_STATUSES as readonly string[]).includes(status)) throw new BadRequest(`Invalid input for field/attribute status. Value: ${body.reset_status.status}. '${body.reset_status.status}' is not a 'group_status'`);
        const group = await loadAuthorized(deps, request, 'group:reset_status', () => groups.get(request.requestContext, request.params.group_id));
        await groups.resetStatus(request.requestContext, group.id, status as GroupStatus);
      }
      return reply.code(202).send();
    });
  };
}
