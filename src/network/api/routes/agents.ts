import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NeutronFault, notFound } from '../../errors.js';
import { filterViews, pageLinks, pageOf, parseListQuery, queryOf, selectFields, sortViews } from './list-query.js';
import { check } from './policy-checks.js';
import type { NetworkRouteDeps } from './route-deps.js';
import { Description } from './schema-types.js';

export const AgentUpdateBody = Type.Object({ admin_state_up: Type.Optional(Type.Boolean()), description: Type.Optional(Description) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });

/**
 * Neutron's agent extension (/v2.0/agents): the agents' rows with `alive` from their heartbeats;
 * administrators list, show, disable (admin_state_up false: no port binds there) and delete them.
 * Anyone else sees none, and a single agent as not found.
 */
export function agentRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { agents } = deps.plugin;
  const may = (request: FastifyRequest, action: string) => check(deps, request, action, {});
  const mayOrFail = (request: FastifyRequest, action: string, id: string) => {
    if (!may(request, 'get_agent')) throw notFound('Agent', id);
    if (!may(request, action)) throw new NeutronFault(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy`);
  };
  return async (app) => {
    app.get('/v2.0/agents', async (request) => {
      const query = parseListQuery(queryOf(request));
      const visible = may(request, 'get_agent') ? filterViews(await agents.list(), query.filters) : [];
      const { page, more } = pageOf(sortViews(visible, query.sort), query, (id) => notFound('Agent', id));
      const links = pageLinks(`${deps.publicUrl}/network/v2.0/agents`, query, page, more);
      return { agents: page.map((view) => selectFields(view, query.fields)), ...(links.length === 0 ? {} : { agents_links: links }) };
    });
    app.get('/v2.0/agents/:id', { schema: { params: IdParams } }, async (request) => {
      mayOrFail(request, 'get_agent', request.params.id);
      return { agent: selectFields(await agents.get(request.params.id), parseListQuery(queryOf(request)).fields) };
    });
    app.put('/v2.0/agents/:id', { schema: { params: IdParams, body: Type.Object({ agent: AgentUpdateBody }, { additionalProperties: false }) } }, async (request) => {
      mayOrFail(request, 'update_agent', request.params.id);
      return { agent: await agents.update(request.params.id, request.body.agent) };
    });
    app.delete('/v2.0/agents/:id', { schema: { params: IdParams } }, async (request, reply) => {
      mayOrFail(request, 'delete_agent', request.params.id);
      await agents.delete(request.params.id);
      return reply.code(204).send();
    });
  };
}
