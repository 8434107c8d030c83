/**
 * GET /v2.1/os-migrations (admin): every resize, cold and live migration and evacuation, newest
 * first, as Nova's migrations API shows them per microversion — 2.23 adds migration_type (and
 * links for live migrations in progress), 2.59 uuid, paging (limit, marker) and changes-since with
 * a closed set of parameters, 2.66 changes-before, 2.80 user_id and project_id (as fields and filters).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import type { MicroversionLike } from '../../../common/http/microversion.js';
import type { MigrationRow, MigrationSearch } from '../../moves/migration.js';
import type { ServersService } from '../../servers/servers-service.js';
import { nextLinks, resourceLinks } from './links.js';
import { boolFromString, last, MultiParam, parseInteger } from './nova-types.js';
import { novaTime } from './render.js';
import { authorize, ownTarget, type ComputeRouteDeps } from './route-deps.js';

const MAX_LIMIT = 1000;

const MigrationsQuery = Type.Object(
  {
    hidden: MultiParam(Type.String()),
    host: MultiParam(Type.String()),
    instance_uuid: MultiParam(Type.String()),
    source_compute: MultiParam(Type.String()),
    status: MultiParam(Type.String()),
    migration_type: MultiParam(Type.String()),
    limit: MultiParam(Type.String()),
    marker: MultiParam(Type.String()),
    'changes-since': MultiParam(Type.String()),
    'changes-before': MultiParam(Type.String()),
    user_id: MultiParam(Type.String()),
    project_id: MultiParam(Type.String()),
  },
  { additionalProperties: true },
);
type MigrationsQuery = Static<typeof MigrationsQuery>;

/** Parameters each version knows; before 2.59 Nova lets any through (and ignores them). */
const BASE_PARAMS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];
const PARAMS_259 = [...BASE_PARAMS, 'limit', 'marker', 'changes-since'];
const PARAMS_266 = [...PARAMS_259, 'changes-before'];
const PARAMS_280 = [...PARAMS_266, 'user_id', 'project_id'];

/** Live migrations in these statuses can be shown, forced or aborted under servers/{id}/migrations: they carry links. */
const LIVE_IN_PROGRESS = new Set(['queued', 'preparing', 'running', 'post-migrating']);

interface Version {
  isAtLeast(other: MicroversionLike): boolean;
}

function allowedParams(version: Version): readonly string[] | undefined {
  if (version.isAtLeast('2.80')) return PARAMS_280;
  if (version.isAtLeast('2.66')) return PARAMS_266;
  if (version.isAtLeast('2.59')) return PARAMS_259;
  return undefined;
}

function dateTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value) ? new Date(value) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  }
  return parsed.toISOString();
}

/** parameter_types.non_negative_integer, at most `[api] max_limit`. */
function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = parseInteger(value);
  if (limit === undefined) throw new BadRequest(`Invalid input for query parameters limit. Value: ${value}. '${value}' is not a 'integer'`);
  if (limit < 0) throw new BadRequest(`Invalid input for query parameters limit. Value: ${value}. ${value} is less than the minimum of 0`);
  return Math.min(limit, MAX_LIMIT);
}

/** The query as this microversion reads it: unknown parameters refused from 2.59, late ones ignored before their version. */
function searchOf(version: Version, query: MigrationsQuery): MigrationSearch {
  const allowed = allowedParams(version);
  if (allowed !== undefined) {
    const unexpected = Object.keys(query).filter((name) => !allowed.includes(name));
    if (unexpected.length > 0) throw new BadRequest(`Invalid input for query parameters ${unexpected.join(', ')}. Additional properties are not allowed (${unexpected.map((name) => `'${name}'`).join(', ')} was unexpected)`);
  }
  const knows = (name: string) => allowed?.includes(name) ?? BASE_PARAMS.includes(name);
  const text = (name: keyof MigrationsQuery) => (knows(name) ? last(query[name]) : undefined);
  const hidden = text('hidden');
  const limit = limitOf(text('limit'));
  const since = dateTime('changes-since', text('changes-since'));
  const before = dateTime('changes-before', text('changes-before'));
  if (since !== undefined && before !== undefined && before < since) throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
  const status = text('status');
  const type = text('migration_type');
  const optional = <K extends keyof MigrationSearch>(key: K, value: MigrationSearch[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    ...optional('host', text('host')),
    ...optional('instanceUuid', text('instance_uuid')),
    ...optional('sourceCompute', text('source_compute')),
    ...optional('statuses', status === undefined ? undefined : [status]),
    ...optional('type', type as MigrationSearch['type']),
    ...optional('hidden', hidden === undefined ? undefined : (boolFromString(hidden) ?? false)),
    ...optional('marker', text('marker')),
    ...optional('limit', version.isAtLeast('2.59') ? (limit ?? MAX_LIMIT) : undefined),
    ...optional('changesSince', since),
    ...optional('changesBefore', before),
    ...optional('userId', text('user_id')),
    ...optional('projectId', text('project_id')),
  };
}

/** Nova's flavor ids are integers; here they are the flavors' public ids, shown as integers when they are. */
function flavorNumber(flavorid: string | null): number | null {
  return flavorid !== null && /^\d+$/.test(flavorid) ? Number(flavorid) : null;
}

function renderMigration(publicUrl: string, version: Version, row: MigrationRow): Record<string, unknown> {
  const body: Record<string, unknown> = {
    created_at: novaTime(row.created_at),
    dest_compute: row.dest_compute,
    dest_host: row.dest_host,
    dest_node: row.dest_node,
    id: row.id,
    instance_uuid: row.instance_uuid,
    new_instance_type_id: flavorNumber(row.new_flavor_id),
    old_instance_type_id: flavorNumber(row.old_flavor_id),
    source_compute: row.source_compute,
    source_node: row.source_node,
    status: row.status,
    updated_at: novaTime(row.updated_at),
  };
  if (version.isAtLeast('2.23')) {
    body['migration_type'] = row.migration_type;
    if (row.migration_type === 'live-migration' && LIVE_IN_PROGRESS.has(row.status)) {
      body['links'] = resourceLinks(publicUrl, `servers/${row.instance_uuid}/migrations`, String(row.id));
    }
  }
  if (version.isAtLeast('2.59')) body['uuid'] = row.uuid;
  if (version.isAtLeast('2.80')) {
    body['user_id'] = row.user_id;
    body['project_id'] = row.project_id;
  }
  return body;
}

export function migrationRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/os-migrations', { schema: { querystring: MigrationsQuery } }, async (request: FastifyRequest<{ Querystring: MigrationsQuery }>) => {
      authorize(deps, request, 'os_compute_api:os-migrations:index', ownTarget(request));
      const version = request.microversion;
      const search = searchOf(version, request.query);
      const page = search.limit === 0 ? { migrations: [], more: false } : await servers.migrations.search(search);
      const migrations = page.migrations.filter((row) => !row.hidden).map((row) => renderMigration(deps.publicUrl, version, row));
      const links =
        version.isAtLeast('2.59') && search.limit !== undefined
          ? nextLinks(deps.publicUrl, 'os-migrations', request.query, { count: page.migrations.length, limit: search.limit, lastId: page.migrations.at(-1)?.uuid })
          : [];
      return { migrations, ...(links.length > 0 ? { migrations_links: links } : {}) };
    });
  };
}
