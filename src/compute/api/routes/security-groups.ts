/**
 * Nova's security group proxy (security_groups.py): /v2.1/os-security-groups and
 * /v2.1/os-security-group-rules up to 2.35, and /v2.1/servers/{id}/os-security-groups at every
 * version. Nova checks these bodies by hand, not by schema; so does this file, in Nova's words.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound, NotImplemented } from '../../../common/errors/errors.js';
import type { NetworkProxies } from '../../network/network-proxies.js';
import type { NovaRuleRequest } from '../../network/security-group-proxy.js';
import type { ServersService } from '../../servers/servers-service.js';
import { isUuidLike } from './nova-types.js';
import { proxyOnlyBefore236 } from './proxy-versions.js';
import { authorize, ownTarget, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

const AnyBody = Type.Unknown();
const AnyQuery = Type.Object({}, { additionalProperties: true });
const GroupParams = Type.Object({ id: Type.String() });

/** Nova's raise_feature_not_supported where no network API is configured. */
export function proxiesOf(servers: ServersService): NetworkProxies {
  if (servers.networkProxies === undefined) throw new NotImplemented('The requested functionality is not supported.');
  return servers.networkProxies;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A group or rule id. Nova's validate_id answers 400 for one that is no uuid; nova-network's ids
 * were integers, and its clients (Tempest's negative tests among them) take such an id as one that
 * does not exist: 404, and nothing is asked of Neutron.
 */
function groupId(id: unknown): string {
  if (typeof id !== 'string' || !isUuidLike(id)) throw new NotFound(`Security group ${String(id)} not found.`);
  return id;
}

/** The controller's _from_body: the body's object under `key`, else 400. */
function fromBody(body: unknown, key: string): Record<string, unknown> {
  if (!isRecord(body) || Object.keys(body).length === 0) throw new BadRequest("The request body can't be empty");
  const value = body[key];
  if (value === undefined || value === null) throw new BadRequest(`Missing parameter ${key}`);
  if (!isRecord(value)) throw new BadRequest(`Invalid input received: ${key} must be an object`);
  return value;
}

/** validate_property: a string of at most 255 characters. */
function groupProperty(group: Record<string, unknown>, property: 'name' | 'description'): string {
  const value = group[property];
  if (typeof value !== 'string') throw new BadRequest(`Invalid input received: ${property} is not a string or unicode`);
  if (value.length > 255) throw new BadRequest(`Invalid input received: ${property} has ${value.length} characters, more than 255.`);
  return value;
}

/** A port, protocol or address of a rule as the body gives it: string, number or null; anything else is 400. */
function scalar(rule: Record<string, unknown>, key: string): string | number | null | undefined {
  const value = rule[key];
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'number') return value;
  throw new BadRequest(`Invalid input received: ${key} must be a string or an integer`);
}

function ruleRequest(body: unknown): NovaRuleRequest {
  const rule = fromBody(body, 'security_group_rule');
  const source = rule['group_id'];
  const protocol = scalar(rule, 'ip_protocol');
  const cidr = scalar(rule, 'cidr');
  return {
    parent_group_id: groupId(rule['parent_group_id']),
    ...(source === undefined || source === null ? {} : { group_id: groupId(source) }),
    ...(protocol === undefined || protocol === null ? {} : { ip_protocol: String(protocol) }),
    ...(cidr === undefined || cidr === null ? {} : { cidr: String(cidr) }),
    from_port: scalar(rule, 'from_port') ?? null,
    to_port: scalar(rule, 'to_port') ?? null,
  };
}

/** common.limited: the offset and limit query parameters. */
function limited<T>(request: FastifyRequest, items: readonly T[]): T[] {
  const query = request.query as Record<string, unknown>;
  const number = (key: string): number | undefined => {
    const raw = Array.isArray(query[key]) ? (query[key] as unknown[]).at(-1) : query[key];
    if (raw === undefined) return undefined;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0) throw new BadRequest(`${key} param must be an integer`);
    return parsed;
  };
  const offset = number('offset') ?? 0;
  const limit = number('limit');
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}

/** GET /v2.1/servers/{id}/os-security-groups: at every version, unlike the proxy. */
export function serverSecurityGroupRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/os-security-groups', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-security-groups:list', { project_id: server.row.project_id });
      return { security_groups: await proxiesOf(servers).securityGroups.ofServer(request.requestContext, server.row.uuid) };
    });
  };
}

export function securityGroupRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    proxyOnlyBefore236(app);

    app.get('/v2.1/os-security-groups', { schema: { querystring: AnyQuery } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:get', ownTarget(request));
      const allTenants = Object.hasOwn(request.query, 'all_tenants');
      return { security_groups: limited(request, await proxiesOf(servers).securityGroups.list(request.requestContext, allTenants)) };
    });

    app.get('/v2.1/os-security-groups/:id', { schema: { params: GroupParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:show', ownTarget(request));
      return { security_group: await proxiesOf(servers).securityGroups.get(request.requestContext, groupId(request.params.id)) };
    });

    app.post('/v2.1/os-security-groups', { schema: { body: AnyBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:create', ownTarget(request));
      const group = fromBody(request.body, 'security_group');
      const created = await proxiesOf(servers).securityGroups.create(request.requestContext, groupProperty(group, 'name'), groupProperty(group, 'description'));
      return { security_group: created };
    });

    app.put('/v2.1/os-security-groups/:id', { schema: { params: GroupParams, body: AnyBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:update', ownTarget(request));
      const id = groupId(request.params.id);
      const group = fromBody(request.body, 'security_group');
      return { security_group: await proxiesOf(servers).securityGroups.update(request.requestContext, id, groupProperty(group, 'name'), groupProperty(group, 'description')) };
    });

    app.delete('/v2.1/os-security-groups/:id', { schema: { params: GroupParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:delete', ownTarget(request));
      await proxiesOf(servers).securityGroups.delete(request.requestContext, groupId(request.params.id));
      return reply.code(202).send();
    });

    app.post('/v2.1/os-security-group-rules', { schema: { body: AnyBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:rule:create', ownTarget(request));
      return { security_group_rule: await proxiesOf(servers).securityGroups.createRule(request.requestContext, ruleRequest(request.body)) };
    });

    app.delete('/v2.1/os-security-group-rules/:id', { schema: { params: GroupParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-security-groups:rule:delete', ownTarget(request));
      await proxiesOf(servers).securityGroups.deleteRule(request.requestContext, groupId(request.params.id));
      return reply.code(202).send();
    });
  };
}
