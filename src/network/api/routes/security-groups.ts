import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.js';
import type { CorePlugin } from '../../plugin/network-plugin.js';
import { check } from './policy-checks.js';
import { ownedTarget, resourceRoutes, targetLookups, type TargetLookups } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description, Name, OWNED } from './schema-types.js';

export const SecurityGroupCreateBody = Type.Object({ ...OWNED, stateful: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const SecurityGroupUpdateBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description), stateful: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SecurityGroupRuleCreateBody = Type.Object(
  {
    project_id: OWNED.project_id,
    tenant_id: OWNED.tenant_id,
    description: OWNED.description,
    security_group_id: Type.String(),
    direction: Type.String(),
    ethertype: Type.Optional(Type.String()),
    protocol: Type.Optional(Type.Union([Type.String(), Type.Integer(), Type.Null()])),
    port_range_min: Type.Optional(NullableInteger),
    port_range_max: Type.Optional(NullableInteger),
    remote_ip_prefix: Type.Optional(NullableString),
    remote_group_id: Type.Optional(NullableString),
  },
  { additionalProperties: false },
);

/** A rule's target: the rule with its owner, and its group's owner (`rule:sg_owner`). */
async function ruleTarget(plugin: CorePlugin, view: Readonly<Record<string, unknown>>, owner: unknown, lookups: TargetLookups = targetLookups()) {
  const groupId = String(view['security_group_id']);
  const group = await lookups(`security_group:${groupId}`, () => plugin.securityGroups.row(groupId).catch(() => undefined));
  return { ...ownedTarget(view, owner), 'security_group:tenant_id': group?.project_id };
}

/** /v2.0/security-groups and /v2.0/security-group-rules. */
export function securityGroupRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { securityGroups } = deps.plugin;
  return async (app) => {
    await app.register(
      resourceRoutes(deps, {
        collection: 'security_groups',
        path: 'security-groups',
        member: 'security_group',
        createBody: SecurityGroupCreateBody,
        updateBody: SecurityGroupUpdateBody,
        notFound: (id) => notFound('Security group', id, 'SecurityGroupNotFound'),
        create: (owner, body) => securityGroups.create(owner, body),
        list: (caller, filters, attributes) => securityGroups.list(caller.isAdmin ? undefined : caller.projectId ?? '', filters.get('id'), attributes),
        get: (id) => securityGroups.get(id),
        update: (id, body) => securityGroups.update(id, body),
        delete: (id, caller) => securityGroups.delete(id, caller.isAdmin),
        target: async (view) => ownedTarget(view, view['project_id']),
        createTarget: async (owner, body) => ownedTarget(body, owner),
      }),
    );
    await app.register(
      resourceRoutes(deps, {
        collection: 'security_group_rules',
        path: 'security-group-rules',
        member: 'security_group_rule',
        createBody: SecurityGroupRuleCreateBody,
        notFound: (id) => notFound('Security group rule', id, 'SecurityGroupRuleNotFound'),
        create: async (owner, body) => securityGroups.createRule(owner, body),
        list: (caller) => securityGroups.listRules(caller.isAdmin ? undefined : caller.projectId ?? ''),
        get: (id) => securityGroups.getRule(id),
        delete: (id) => securityGroups.deleteRule(id),
        target: (view, lookups) => ruleTarget(deps.plugin, view, view['project_id'], lookups),
        createTarget: async (owner, body, request) => {
          const group = await securityGroups.get(body.security_group_id);
          if (!check(deps, request, 'get_security_group', ownedTarget(group, group['project_id']))) {
            throw notFound('Security group', body.security_group_id, 'SecurityGroupNotFound');
          }
          return ruleTarget(deps.plugin, body, owner);
        },
      }),
    );
  };
}
