import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { MESSAGE_FILTER_KEYS, MESSAGE_SORT_KEYS, type MessageFilter, type MessageFilterKey } from '../../db/message-store.js';
import { userMessageText, type UserMessage } from '../../volumes/user-message.js';
import { page, parsePage, parseSortOf } from '../../volumes/volume-list-query.js';
import { MESSAGES_API, RESOURCE_FILTER } from '../microversions.js';
import { cinderTime, links } from './render.js';
import { authorize, checkProject, loadAuthorized, MAX_LIMIT, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

const Project = Type.Object({ project_id: Type.String() });
const MessageParams = Type.Object({ project_id: Type.String(), message_id: Type.String() });
const PAGING = new Set(['limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir']);

const messageNotFound = (id: string) => new NotFound(`Message ${id} could not be found.`);

/** cinder/api/v3/views/messages.py: resource_type and resource_uuid only when set. */
function renderMessage(message: UserMessage, base: string): Record<string, unknown> {
  return {
    id: message.id,
    event_id: message.eventId,
    user_message: userMessageText(message),
    message_level: message.level,
    created_at: cinderTime(message.createdAt),
    guaranteed_until: cinderTime(message.expiresAt),
    request_id: message.requestId,
    links: links(base, message.projectId ?? '', 'messages', message.id),
    ...(message.resourceType === null ? {} : { resource_type: message.resourceType }),
    ...(message.resourceUuid === null ? {} : { resource_uuid: message.resourceUuid }),
  };
}

/**
 * Cinder's list filters: from 3.5 every parameter that is not paging; from 3.31 a non-administrator
 * may name only the configured ones. A column messages do not have matches nothing (undefined).
 */
function filterOf(query: Record<string, string>, isAdmin: boolean, projectId: string, checked: boolean): MessageFilter | undefined {
  const names = Object.keys(query).filter((name) => !PAGING.has(name) && name !== 'all_tenants');
  if (checked && !isAdmin) {
    const invalid = names.filter((name) => !(MESSAGE_FILTER_KEYS as readonly string[]).includes(name));
    if (invalid.length > 0) throw new BadRequest(`Invalid filters ${invalid.join(',')} are found in query options.`);
  }
  const columns: Partial<Record<MessageFilterKey, string>> = {};
  let project: string | undefined = isAdmin ? undefined : projectId;
  for (const name of names) {
    if (name === 'project_id' && isAdmin) project = query[name];
    else if ((MESSAGE_FILTER_KEYS as readonly string[]).includes(name)) columns[name as MessageFilterKey] = query[name] ?? '';
    else return undefined;
  }
  return { ...(project === undefined ? {} : { projectId: project }), columns };
}

/** /v3/{project_id}/messages (3.3): what went wrong in the project's asynchronous requests; list, show, delete. */
export function messageRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { messages } = deps;
  const load = async (id: string, projectId: string, isAdmin: boolean): Promise<UserMessage & { readonly projectId: string }> => {
    const message = await messages.find(id);
    // Another project's message is not found, as Cinder's project-only lookup has it.
    if (message === undefined || (!isAdmin && message.projectId !== projectId)) throw messageNotFound(id);
    return { ...message, projectId: message.projectId ?? '' };
  };
  return async (app) => {
    app.get('/v3/:project_id/messages', { schema: { params: Project } }, async (request) => {
      const { paginated } = MESSAGES_API.select(request.microversion);
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'message:get_all', ownTarget(request));
      const isAdmin = request.requestContext.isAdmin === true;
      const query = paginated ? queryOf(request) : {};
      const filter = filterOf(query, isAdmin, request.params.project_id, RESOURCE_FILTER.select(request.microversion));
      const pageQuery = parsePage(query);
      const all = filter === undefined ? [] : await messages.list(filter, parseSortOf(query, MESSAGE_SORT_KEYS));
      const { items, full } = page(all, pageQuery, MAX_LIMIT, (marker) => new NotFound(`Marker ${marker} could not be found.`));
      const last = items.at(-1);
      const next =
        full && last !== undefined
          ? [{ rel: 'next', href: `${deps.publicUrl}/volume/v3/${request.params.project_id}/messages?${new URLSearchParams({ ...query, marker: last.id }).toString()}` }]
          : undefined;
      return { messages: items.map((message) => renderMessage(message, deps.publicUrl)), ...(next === undefined ? {} : { messages_links: next }) };
    });

    app.get('/v3/:project_id/messages/:message_id', { schema: { params: MessageParams } }, async (request) => {
      MESSAGES_API.select(request.microversion);
      const message = await loadAuthorized(deps, request, 'message:get', () => load(request.params.message_id, request.params.project_id, request.requestContext.isAdmin === true));
      return { message: renderMessage(message, deps.publicUrl) };
    });

    app.delete('/v3/:project_id/messages/:message_id', { schema: { params: MessageParams } }, async (request, reply) => {
      MESSAGES_API.select(request.microversion);
      const message = await loadAuthorized(deps, request, 'message:delete', () => load(request.params.message_id, request.params.project_id, request.requestContext.isAdmin === true));
      await messages.delete(message.id);
      return reply.code(204).send();
    });
  };
}
