import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { NamespaceContents } from '../../db/metadef-record-store.js';
import { METADEF_VISIBILITIES, type NamespaceFields, type NamespaceRef } from '../../metadefs/metadef.js';
import type { MetadefService } from '../../metadefs/metadef-service.js';
import { NamespaceBody, NamespaceParams, refuseReadOnly } from './metadef-bodies.js';
import { objectItem, propertyItem } from './metadef-items.js';
import { namespaceHref, renderNamespace, type NamespaceDetail } from './metadef-render.js';
import { authorize, mayOnNamespace, namespaceFor, type ImageRouteDeps } from './route-deps.js';

const NamespaceListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String()),
  sort_key: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at'), Type.Literal('namespace'), Type.Literal('display_name')])),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  visibility: Type.Optional(Type.Union(METADEF_VISIBILITIES.map((visibility) => Type.Literal(visibility)))),
  /** Comma-separated resource type names. */
  resource_types: Type.Optional(Type.String()),
});

/** The namespace's own attributes from a create or update body, with Glance's defaults. */
function namespaceFields(body: NamespaceBody, context: RequestContext): NamespaceFields {
  return {
    namespace: body.namespace,
    display_name: body.display_name ?? null,
    description: body.description ?? null,
    visibility: body.visibility ?? 'private',
    protected: body.protected ?? false,
    owner: body.owner ?? context.projectId ?? null,
  };
}

/** What a create body puts in the new namespace. */
function namespaceContents(body: NamespaceBody): NamespaceContents {
  return {
    items: [
      ...(body.objects ?? []).map((object) => ({ kind: 'object' as const, item: objectItem(object) })),
      ...Object.entries(body.properties ?? {}).map(([name, definition]) => ({ kind: 'property' as const, item: propertyItem(name, definition) })),
      ...(body.tags ?? []).map((tag) => ({ kind: 'tag' as const, item: { name: tag.name, body: {} } })),
    ],
    associations: body.resource_type_associations ?? [],
  };
}

/** Everything a namespace holds, as show prints it. */
async function detailOf(metadefs: MetadefService, namespace: NamespaceRef): Promise<NamespaceDetail> {
  return {
    associations: await metadefs.associations(namespace),
    properties: await metadefs.items(namespace, 'property'),
    objects: await metadefs.items(namespace, 'object'),
    tags: await metadefs.items(namespace, 'tag'),
  };
}

/** The listing's `first` and `next` links: the query as given, without (or with the next) marker. */
function pageLink(request: FastifyRequest, marker?: string): string {
  const index = request.url.indexOf('?');
  const query = new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
  query.delete('marker');
  if (marker !== undefined) query.set('marker', marker);
  const text = query.toString();
  return text === '' ? '/v2/metadefs/namespaces' : `/v2/metadefs/namespaces?${text}`;
}

/** /v2/metadefs/namespaces: list, create, show, update (PUT, whole), delete. */
export function metadefNamespaceRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { metadefs } = deps.images;
  return async (app) => {
    app.get('/v2/metadefs/namespaces', { schema: { querystring: NamespaceListQuery } }, async (request) => {
      const context = request.requestContext;
      authorize(deps, request, 'get_metadef_namespaces', { project_id: context.projectId });
      authorize(deps, request, 'list_metadef_resource_types', { project_id: context.projectId });
      const { limit, marker, sort_key: sortKey, sort_dir: sortDir, visibility, resource_types: types } = request.query;
      const page = await metadefs.listNamespaces(context, {
        ...(limit === undefined ? {} : { limit }),
        ...(marker === undefined ? {} : { marker }),
        ...(visibility === undefined ? {} : { visibility }),
        ...(types === undefined ? {} : { resourceTypes: types.split(',').map((type) => type.trim()) }),
        sort: { key: sortKey ?? 'created_at', dir: sortDir ?? 'desc' },
      });
      const namespaces = [];
      for (const namespace of page.namespaces) {
        if (!mayOnNamespace(deps, request, 'get_metadef_namespace', namespace)) continue;
        namespaces.push(renderNamespace(namespace, { associations: await metadefs.associations(namespace) }));
      }
      return {
        namespaces,
        first: pageLink(request),
        schema: '/v2/schemas/metadefs/namespaces',
        ...(page.next === undefined ? {} : { next: pageLink(request, page.next) }),
      };
    });

    app.post('/v2/metadefs/namespaces', { schema: { body: NamespaceBody } }, async (request, reply) => {
      const body = request.body;
      refuseReadOnly(body);
      const target = { project_id: request.requestContext.projectId };
      authorize(deps, request, 'add_metadef_namespace', target);
      if (body.resource_type_associations !== undefined) authorize(deps, request, 'add_metadef_resource_type_association', target);
      if (body.objects !== undefined) authorize(deps, request, 'add_metadef_object', target);
      if (body.properties !== undefined) authorize(deps, request, 'add_metadef_property', target);
      if (body.tags !== undefined) authorize(deps, request, 'add_metadef_tag', target);
      const namespace = await metadefs.createNamespace(namespaceFields(body, request.requestContext), namespaceContents(body));
      return reply
        .code(201)
        .header('location', namespaceHref(namespace.namespace))
        .send(renderNamespace(namespace, await detailOf(metadefs, namespace)));
    });

    app.get('/v2/metadefs/namespaces/:namespace', { schema: { params: NamespaceParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_namespace');
      for (const action of ['list_metadef_resource_types', 'get_metadef_objects', 'get_metadef_properties', 'get_metadef_tags']) {
        await namespaceFor(deps, request, namespace.namespace, action);
      }
      return renderNamespace(namespace, await detailOf(metadefs, namespace));
    });

    app.put('/v2/metadefs/namespaces/:namespace', { schema: { params: NamespaceParams, body: NamespaceBody } }, async (request) => {
      refuseReadOnly(request.body);
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'modify_metadef_namespace');
      return renderNamespace(await metadefs.updateNamespace(namespace, namespaceFields(request.body, request.requestContext)));
    });

    app.delete('/v2/metadefs/namespaces/:namespace', { schema: { params: NamespaceParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_namespace');
      await metadefs.deleteNamespace(namespace);
      return reply.code(204).send();
    });
  };
}
