import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { versioned } from '../../../common/http/versioned.js';
import type { MigrationRow } from '../../moves/migration.js';
import type { ServersService } from '../../servers/servers-service.js';
import { NoArgs } from './server-actions/server-action.js';
import { novaTime } from './render.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams, serverTarget } from './servers.js';

const MigrationParams = Type.Object({ server_id: Type.String(), migration_id: Type.String() });
const ForceCompleteBody = Type.Object({ force_complete: NoArgs }, { additionalProperties: false });

/** Nova's server_migrations output(): uuid from 2.59, user and project from 2.80; no copy statistics are kept. */
function renderMigration(request: FastifyRequest, migration: MigrationRow): Record<string, unknown> {
  const version = request.microversion;
  return {
    created_at: novaTime(migration.created_at),
    dest_compute: migration.dest_compute,
    dest_host: migration.dest_host,
    dest_node: migration.dest_node,
    disk_processed_bytes: null,
    disk_remaining_bytes: null,
    disk_total_bytes: null,
    id: migration.id,
    memory_processed_bytes: null,
    memory_remaining_bytes: null,
    memory_total_bytes: null,
    server_uuid: migration.instance_uuid,
    source_compute: migration.source_compute,
    source_node: migration.source_node,
    status: migration.status,
    updated_at: novaTime(migration.updated_at),
    ...(version.isAtLeast('2.59') ? { uuid: migration.uuid } : {}),
    ...(version.isAtLeast('2.80') ? { user_id: migration.user_id, project_id: migration.project_id } : {}),
  };
}

/** Each method exists from its microversion on; earlier it is 404, as Nova's versioned methods. */
const FROM = {
  forceComplete: versioned([{ min: '2.22', value: true }]),
  read: versioned([{ min: '2.23', value: true }]),
  abort: versioned([{ min: '2.24', value: true }]),
};

/** /v2.1/servers/{id}/migrations: a server's live migrations in progress, force-complete (2.22) and abort (2.24). */
export function serverMigrationRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/migrations', { schema: { params: ServerParams } }, async (request) => {
      FROM.read.select(request.microversion);
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:migrations:index', serverTarget(server));
      const migrations = await servers.liveMigrations.inProgress(server);
      return { migrations: migrations.map((migration) => renderMigration(request, migration)) };
    });

    app.get('/v2.1/servers/:server_id/migrations/:migration_id', { schema: { params: MigrationParams } }, async (request) => {
      FROM.read.select(request.microversion);
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:migrations:show', serverTarget(server));
      return { migration: renderMigration(request, await servers.liveMigrations.inProgressOne(server, request.params.migration_id)) };
    });

    app.post('/v2.1/servers/:server_id/migrations/:migration_id/action', { schema: { params: MigrationParams, body: ForceCompleteBody } }, async (request, reply) => {
      FROM.forceComplete.select(request.microversion);
      const context = request.requestContext;
      const server = await servers.get(context, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:migrations:force_complete', serverTarget(server));
      await servers.liveMigrations.forceComplete(context, server, request.params.migration_id);
      return reply.code(202).send();
    });

    app.delete('/v2.1/servers/:server_id/migrations/:migration_id', { schema: { params: MigrationParams } }, async (request, reply) => {
      FROM.abort.select(request.microversion);
      const context = request.requestContext;
      const server = await servers.get(context, request.params.server_id);
      authorize(deps, request, 'os_compute_api:servers:migrations:delete', serverTarget(server));
      await servers.liveMigrations.abort(context, server, request.params.migration_id, request.microversion.isAtLeast('2.65'));
      return reply.code(202).send();
    });
  };
}
