import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccessRule } from '../../resources/application-credentials.js';
import { collectionLinks, v3Url } from './links.js';
import { authorize, type IdentityRouteDeps } from './route-deps.js';
import { OptionalString } from './schema-types.js';

const UserParams = Type.Object({ userId: Type.String() });
const RuleParams = Type.Object({ userId: Type.String(), id: Type.String() });

/**
 * Keystone's /v3/users/{user_id}/access_rules: the rules a user's application credentials made,
 * listed (filtered by service, path and method), shown and deleted. A rule still used by a
 * credential cannot be deleted (403); another user's rule is not found, even by id.
 */
export function accessRuleRoutes(deps: IdentityRouteDeps): FastifyPluginAsyncTypebox {
  const { applicationCredentials } = deps.managers;
  const render = (userId: string, rule: AccessRule): Record<string, unknown> => ({
    ...rule,
    links: { self: v3Url(deps.publicUrl, `/users/${userId}/access_rules/${rule.id}`) },
  });
  const Filter = Type.Object({ service: OptionalString, path: OptionalString, method: OptionalString });

  return async (app) => {
    app.get('/v3/users/:userId/access_rules', { schema: { params: UserParams, querystring: Filter } }, async (request) => {
      const { userId } = request.params;
      authorize(deps, request, 'identity:list_access_rules', { user_id: userId });
      const rules = await applicationCredentials.listAccessRules({ user_id: userId, ...request.query });
      return { access_rules: rules.map((rule) => render(userId, rule)), links: collectionLinks(deps.publicUrl, request) };
    });

    app.get('/v3/users/:userId/access_rules/:id', { schema: { params: RuleParams } }, async (request) => {
      const { userId, id } = request.params;
      authorize(deps, request, 'identity:get_access_rule', { user_id: userId });
      return { access_rule: render(userId, await applicationCredentials.getAccessRule(userId, id)) };
    });

    app.delete('/v3/users/:userId/access_rules/:id', { schema: { params: RuleParams } }, async (request, reply) => {
      const { userId, id } = request.params;
      authorize(deps, request, 'identity:delete_access_rule', { user_id: userId });
      await applicationCredentials.deleteAccessRule(userId, id);
      return reply.code(204).send();
    });
  };
}
