/**
 * Cinder's volume transfers at /v3/{project_id}/os-volume-transfer (every version) and
 * /v3/{project_id}/volume-transfers (3.55+): create (the auth key shown once), list (summary
 * and detail), show, accept by another project, delete.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { Transfer } from '../../volumes/transfer.js';
import { parseBoolean } from '../../volumes/volume-list-query.js';
import { TRANSFER_WITH_HISTORY, TRANSFER_WITH_SNAPSHOTS, VOLUME_TRANSFERS_API } from '../microversions.js';
import { cinderTime } from './render.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, NullableString, toBoolean } from './schemas.js';

/** Cinder's volume_transfer.create_v355 (create below 3.55 refuses no_snapshots in the handler). */
const TransferCreateBody = Type.Object(
  {
    transfer: Type.Object(
      { volume_id: Type.String({ format: 'uuid' }), name: Type.Optional(NullableString()), no_snapshots: Type.Optional(CinderBoolean) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const AcceptBody = Type.Object(
  { accept: Type.Object({ auth_key: Type.Union([Type.String({ minLength: 1 }), Type.Integer()]) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
const Project = Type.Object({ project_id: Type.String() });
const TransferParams = Type.Object({ project_id: Type.String(), transfer_id: Type.String() });

/** Cinder's transfer views (cinder/api/views/transfers.py); links name os-volume-transfer under the URL's project. */
function links(base: string, project: string, id: string): { href: string; rel: string }[] {
  return [
    { href: `${base}/volume/v3/${project}/os-volume-transfer/${id}`, rel: 'self' },
    { href: `${base}/volume/${project}/os-volume-transfer/${id}`, rel: 'bookmark' },
  ];
}

function renderSummary(transfer: Transfer, base: string, project: string): Record<string, unknown> {
  return { id: transfer.id, name: transfer.name, volume_id: transfer.volumeId, links: links(base, project, transfer.id) };
}

function renderDetail(transfer: Transfer, base: string, request: Pick<FastifyRequest, 'microversion'>, project: string): Record<string, unknown> {
  return {
    id: transfer.id,
    created_at: cinderTime(transfer.createdAt),
    name: transfer.name,
    volume_id: transfer.volumeId,
    links: links(base, project, transfer.id),
    ...(TRANSFER_WITH_SNAPSHOTS.select(request.microversion) ? { no_snapshots: transfer.noSnapshots } : {}),
    // A transfer once accepted is gone from the API (Cinder's too): one shown is still pending.
    ...(TRANSFER_WITH_HISTORY.select(request.microversion) ? { source_project_id: transfer.sourceProjectId, destination_project_id: null, accepted: false } : {}),
  };
}

export function transferRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { transfers } = deps;
  return async (app) => {
    for (const collection of ['os-volume-transfer', 'volume-transfers']) {
      // /volume-transfers is not there below 3.55: 404, as Cinder's router.
      const gate = (request: FastifyRequest) => {
        if (collection === 'volume-transfers') VOLUME_TRANSFERS_API.select(request.microversion);
      };

      app.post(`/v3/:project_id/${collection}`, { schema: { params: Project, body: TransferCreateBody } }, async (request, reply) => {
        gate(request);
        checkProject(request, request.params.project_id);
        const body = request.body.transfer;
        if (body.no_snapshots !== undefined && !TRANSFER_WITH_SNAPSHOTS.select(request.microversion)) {
          throw new BadRequest("Invalid input for field/attribute transfer. Value: no_snapshots. Additional properties are not allowed ('no_snapshots' was unexpected)");
        }
        const volume = await deps.volumes.get(request.requestContext, body.volume_id);
        authorize(deps, request, 'volume:create_transfer', { project_id: volume.projectId });
        const name = body.name === undefined || body.name === null ? null : body.name.trim();
        const { transfer, authKey } = await transfers.create(request.requestContext, volume.id, name, body.no_snapshots === undefined ? false : toBoolean(body.no_snapshots));
        return reply.code(202).send({ transfer: { ...renderDetail(transfer, deps.publicUrl, request, request.params.project_id), auth_key: authKey } });
      });

      const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
        gate(request);
        checkProject(request, request.params.project_id);
        authorize(deps, request, 'volume:get_all_transfers', ownTarget(request));
        const allTenants = parseBoolean(queryOf(request)['all_tenants'], 'all_tenants') === true;
        const found = await transfers.list(request.requestContext, allTenants);
        return { transfers: found.map((transfer) => (detail ? renderDetail(transfer, deps.publicUrl, request, request.params.project_id) : renderSummary(transfer, deps.publicUrl, request.params.project_id))) };
      };
      app.get(`/v3/:project_id/${collection}`, { schema: { params: Project } }, list(false));
      app.get(`/v3/:project_id/${collection}/detail`, { schema: { params: Project } }, list(true));

      app.get(`/v3/:project_id/${collection}/:transfer_id`, { schema: { params: TransferParams } }, async (request) => {
        gate(request);
        checkProject(request, request.params.project_id);
        const transfer = await transfers.get(request.requestContext, request.params.transfer_id);
        authorize(deps, request, 'volume:get_transfer', { project_id: transfer.sourceProjectId });
        return { transfer: renderDetail(transfer, deps.publicUrl, request, request.params.project_id) };
      });

      app.delete(`/v3/:project_id/${collection}/:transfer_id`, { schema: { params: TransferParams } }, async (request, reply) => {
        gate(request);
        checkProject(request, request.params.project_id);
        const transfer = await transfers.get(request.requestContext, request.params.transfer_id);
        authorize(deps, request, 'volume:delete_transfer', { project_id: transfer.sourceProjectId });
        await transfers.delete(request.requestContext, transfer.id);
        return reply.code(202).send();
      });

      // Any project holding the key may accept: the rule is checked on the caller's own project.
      app.post(`/v3/:project_id/${collection}/:transfer_id/accept`, { schema: { params: TransferParams, body: AcceptBody } }, async (request, reply) => {
        gate(request);
        checkProject(request, request.params.project_id);
        authorize(deps, request, 'volume:accept_transfer', ownTarget(request));
        const transfer = await transfers.accept(request.requestContext, request.params.transfer_id, String(request.body.accept.auth_key));
        return reply.code(202).send({ transfer: renderSummary(transfer, deps.publicUrl, request.params.project_id) });
      });
    }
  };
}
