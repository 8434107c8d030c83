import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NotFound } from '../../../common/errors/errors.js';
import { BACKUP_SORT_KEYS, type BackupFilter } from '../../db/backup-store.js';
import { page, parseBoolean, parseLimit, parseSortOf } from '../../volumes/volume-list-query.js';
import { BACKUP_UPDATE, BACKUP_VIEW_FIELDS } from '../microversions.js';
import { renderBackup, renderBackupSummary } from './render-backup.js';
import { authorize, checkProject, MAX_LIMIT, ownTarget, queryOf, loadAuthorized, nameChanges, type VolumeRouteDeps } from './route-deps.js';
import { CinderBoolean, NullableString, toBoolean } from './schemas.js';

/** Cinder's backup create schema (cinder/api/schemas/backups.py) at 3.0. */
const BackupCreateBody = Type.Object(
  {
    backup: Type.Object(
      {
        volume_id: Type.String({ format: 'uuid' }),
        container: Type.Optional(NullableString()),
        description: Type.Optional(NullableString()),
        incremental: Type.Optional(Type.Union([CinderBoolean, Type.Null()])),
        force: Type.Optional(Type.Union([CinderBoolean, Type.Null()])),
        name: Type.Optional(NullableString()),
        snapshot_id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const RestoreBody = Type.Object(
  {
    restore: Type.Union([
      Type.Object(
        { volume_id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])), name: Type.Optional(NullableString()) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
/** Cinder's backup import schema: an exported record as export_record answered it. */
const ImportBody = Type.Object(
  {
    'backup-record': Type.Object(
      { backup_service: Type.String({ minLength: 1, maxLength: 255 }), backup_url: Type.String({ minLength: 1, maxLength: 65535 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
/** Cinder's backup update schema (3.9; metadata, 3.43, is not kept here). */
const BackupUpdateBody = Type.Object(
  { backup: Type.Object({ name: Type.Optional(NullableString()), description: Type.Optional(NullableString()) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
/** Cinder's backup actions: os-reset_status only. */
const BackupActionBody = Type.Object(
  { 'os-reset_status': Type.Object({ status: Type.Union([Type.Literal('available'), Type.Literal('error')]) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
const Project = Type.Object({ project_id: Type.String() });
const BackupParams = Type.Object({ project_id: Type.String(), backup_id: Type.String() });

/** Cinder's backup list filters: an admin's all_tenants/project_id widen or pick the project. */
function filterOf(request: FastifyRequest, query: Record<string, string>, projectId: string): BackupFilter {
  const isAdmin = request.requestContext.isAdmin === true;
  const allTenants = isAdmin && parseBoolean(query['all_tenants'], 'all_tenants') === true;
  const project = isAdmin && query['project_id'] !== undefined ? query['project_id'] : allTenants ? undefined : projectId;
  const name = query['name'] ?? query['display_name'];
  return {
    ...(project === undefined ? {} : { projectId: project }),
    ...(name === undefined ? {} : { name }),
    ...(query['status'] === undefined ? {} : { status: query['status'] }),
    ...(query['volume_id'] === undefined ? {} : { volumeId: query['volume_id'] }),
  };
}

/** /v3/{project_id}/backups: create, list (summary and detail), show, delete, update (3.9), restore, os-reset_status, export and import of records. */
export function backupRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { backups } = deps;
  return async (app) => {
    app.post('/v3/:project_id/backups', { schema: { params: Project, body: BackupCreateBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'backup:create', ownTarget(request));
      const body = request.body.backup;
      const backup = await backups.create(request.requestContext, {
        volumeId: body.volume_id,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.incremental === undefined || body.incremental === null ? {} : { incremental: toBoolean(body.incremental) }),
        ...(body.force === undefined || body.force === null ? {} : { force: toBoolean(body.force) }),
        ...(body.snapshot_id === undefined || body.snapshot_id === null ? {} : { snapshotId: body.snapshot_id }),
        ...(body.container === undefined ? {} : { container: body.container }),
      });
      return reply.code(202).send({ backup: renderBackupSummary(backup, deps.publicUrl) });
    });

    const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project_id: string } }>) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'backup:get_all', ownTarget(request));
      const query = queryOf(request);
      const limit = parseLimit(query['limit']);
      const marker = query['marker'];
      const all = await backups.list(filterOf(request, query, request.params.project_id), parseSortOf(query, BACKUP_SORT_KEYS));
      const { items, more } = page(all, { ...(limit === undefined ? {} : { limit }), ...(marker === undefined ? {} : { marker }) }, MAX_LIMIT, (id) => new NotFound(`Marker ${id} could not be found.`));
      const rendered = items.map((backup) => (detail ? renderBackup(backup, deps.publicUrl, BACKUP_VIEW_FIELDS.select(request.microversion)) : renderBackupSummary(backup, deps.publicUrl)));
      const last = items.at(-1);
      const next =
        more && last !== undefined
          ? [{ rel: 'next', href: `${deps.publicUrl}/volume/v3/${request.params.project_id}/backups${detail ? '/detail' : ''}?${new URLSearchParams({ ...query, ...(limit === undefined ? {} : { limit: String(limit) }), marker: last.id }).toString()}` }]
          : undefined;
      return { backups: rendered, ...(next === undefined ? {} : { backups_links: next }) };
    };
    app.get('/v3/:project_id/backups', { schema: { params: Project } }, list(false));
    app.get('/v3/:project_id/backups/detail', { schema: { params: Project } }, list(true));

    app.get('/v3/:project_id/backups/:backup_id', { schema: { params: BackupParams } }, async (request) => {
      const backup = await loadAuthorized(deps, request, 'backup:get', () => backups.get(request.requestContext, request.params.backup_id));
      return { backup: renderBackup(backup, deps.publicUrl, BACKUP_VIEW_FIELDS.select(request.microversion)) };
    });

    app.put('/v3/:project_id/backups/:backup_id', { schema: { params: BackupParams, body: BackupUpdateBody } }, async (request) => {
      BACKUP_UPDATE.select(request.microversion);
      const backup = await loadAuthorized(deps, request, 'backup:update', () => backups.get(request.requestContext, request.params.backup_id));
      const updated = await backups.update(request.requestContext, backup.id, nameChanges(request.body.backup));
      return { backup: renderBackupSummary(updated, deps.publicUrl) };
    });

    app.delete('/v3/:project_id/backups/:backup_id', { schema: { params: BackupParams } }, async (request, reply) => {
      const backup = await loadAuthorized(deps, request, 'backup:delete', () => backups.get(request.requestContext, request.params.backup_id));
      await backups.delete(request.requestContext, backup.id);
      return reply.code(202).send();
    });

    app.post('/v3/:project_id/backups/:backup_id/action', { schema: { params: BackupParams, body: BackupActionBody } }, async (request, reply) => {
      const backup = await loadAuthorized(deps, request, 'volume_extension:backup_admin_actions:reset_status', () => backups.get(request.requestContext, request.params.backup_id));
      await backups.resetStatus(request.requestContext, backup.id, request.body['os-reset_status'].status);
      return reply.code(202).send();
    });

    // Both are the administrator's: checked before the backup is looked up, as Cinder does.
    app.get('/v3/:project_id/backups/:backup_id/export_record', { schema: { params: BackupParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'backup:backup-export', ownTarget(request));
      const record = await backups.exportRecord(request.requestContext, request.params.backup_id);
      return { 'backup-record': { backup_service: record.backupService, backup_url: record.backupUrl } };
    });

    app.post('/v3/:project_id/backups/import_record', { schema: { params: Project, body: ImportBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'backup:backup-import', ownTarget(request));
      const record = request.body['backup-record'];
      const backup = await backups.importRecord(request.requestContext, record.backup_service, record.backup_url);
      return reply.code(201).send({ backup: renderBackupSummary(backup, deps.publicUrl) });
    });

    app.post('/v3/:project_id/backups/:backup_id/restore', { schema: { params: BackupParams, body: RestoreBody } }, async (request, reply) => {
      const backup = await loadAuthorized(deps, request, 'backup:restore', () => backups.get(request.requestContext, request.params.backup_id));
      const body = request.body.restore ?? {};
      const result = await backups.restore(request.requestContext, backup.id, {
        ...(body.volume_id === undefined || body.volume_id === null ? {} : { volumeId: body.volume_id }),
        ...(body.name === undefined || body.name === null ? {} : { name: body.name }),
      });
      return reply.code(202).send({ restore: { backup_id: result.backupId, volume_id: result.volumeId, volume_name: result.volumeName } });
    });
  };
}
