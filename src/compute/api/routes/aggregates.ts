import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AggregateDetails } from '../../admin/aggregates.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import { BadRequest } from '../../../common/errors/errors.js';
import { novaTime } from './render.js';
import { integerId, MetadataValue, NovaAzName, NovaAzNameWithSpaces, NovaMetadata, NovaName, NovaNameWithSpaces } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

export const AggregateCreateBody = Type.Object(
  { aggregate: Type.Object({ name: NovaName, availability_zone: Type.Optional(Type.Union([NovaAzName, Type.Null()])) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export const AggregateUpdateBody = Type.Object(
  {
    aggregate: Type.Object(
      { name: Type.Optional(NovaNameWithSpaces), availability_zone: Type.Optional(Type.Union([NovaAzNameWithSpaces, Type.Null()])) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);
const HostArg = Type.Object({ host: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
export const AggregateActionBody = Type.Object(
  {
    add_host: Type.Optional(HostArg),
    remove_host: Type.Optional(HostArg),
    set_metadata: Type.Optional(
      Type.Object({ metadata: NovaMetadata(Type.Union([MetadataValue, Type.Null()])) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export const AggregateParams = Type.Object({ aggregate_id: Type.String() });

/** An aggregate (its uuid from 2.41); create answers without hosts and metadata. */
function renderAggregate(request: FastifyRequest, aggregate: AggregateDetails, full = true): Record<string, unknown> {
  const { row } = aggregate;
  return {
    ...(request.microversion.isAtLeast('2.41') ? { uuid: row.uuid } : {}),
    availability_zone: aggregate.metadata['availability_zone'] ?? null,
    created_at: novaTime(row.created_at),
    deleted: false,
    deleted_at: null,
    ...(full ? { hosts: aggregate.hosts, metadata: aggregate.metadata } : {}),
    id: row.id,
    name: row.name,
    updated_at: novaTime(row.updated_at),
  };
}

/** Nova's utils.validate_integer(id, 'id') on every aggregate path. */
function aggregateId(id: string): string {
  return String(integerId(id));
}

/** /v2.1/os-aggregates: CRUD and the add_host / remove_host / set_metadata actions (admin). */
export function aggregateRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const { aggregates } = admin;
  return async (app) => {
    app.get('/v2.1/os-aggregates', async (request) => {
      authorize(deps, request, 'os_compute_api:os-aggregates:index', {});
      return { aggregates: (await aggregates.list()).map((aggregate) => renderAggregate(request, aggregate)) };
    });

    app.post('/v2.1/os-aggregates', { schema: { body: AggregateCreateBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-aggregates:create', {});
      const { name, availability_zone: zone } = request.body.aggregate;
      return { aggregate: renderAggregate(request, await aggregates.create(name, zone ?? undefined), false) };
    });

    app.get('/v2.1/os-aggregates/:aggregate_id', { schema: { params: AggregateParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-aggregates:show', {});
      return { aggregate: renderAggregate(request, await aggregates.get(aggregateId(request.params.aggregate_id))) };
    });

    app.put('/v2.1/os-aggregates/:aggregate_id', { schema: { params: AggregateParams, body: AggregateUpdateBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-aggregates:update', {});
      const { name, availability_zone: zone } = request.body.aggregate;
      const updated = await aggregates.update(aggregateId(request.params.aggregate_id), { ...(name === undefined ? {} : { name }), ...(zone === undefined ? {} : { zone }) });
      return { aggregate: renderAggregate(request, updated) };
    });

    app.delete('/v2.1/os-aggregates/:aggregate_id', { schema: { params: AggregateParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-aggregates:delete', {});
      await aggregates.delete(aggregateId(request.params.aggregate_id));
      return reply.code(200).send();
    });

    app.post('/v2.1/os-aggregates/:aggregate_id/action', { schema: { params: AggregateParams, body: AggregateActionBody } }, async (request) => {
      const raw = request.params.aggregate_id;
      const body: Static<typeof AggregateActionBody> = request.body;
      let result: AggregateDetails;
      if (body.add_host !== undefined) {
        authorize(deps, request, 'os_compute_api:os-aggregates:add_host', {});
        result = await aggregates.addHost(aggregateId(raw), body.add_host.host);
      } else if (body.remove_host !== undefined) {
        authorize(deps, request, 'os_compute_api:os-aggregates:remove_host', {});
        result = await aggregates.removeHost(aggregateId(raw), body.remove_host.host);
      } else if (body.set_metadata !== undefined) {
        authorize(deps, request, 'os_compute_api:os-aggregates:set_metadata', {});
        result = await aggregates.setMetadata(aggregateId(raw), body.set_metadata.metadata);
      } else {
        throw new BadRequest('No action given.');
      }
      return { aggregate: renderAggregate(request, result) };
    });
  };
}
