import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NamespaceItemParams, NamespaceParams, refuseReadOnly, TagBody, TagsBody } from './metadef-bodies.js';
import { renderTag } from './metadef-render.js';
import { namespaceFor, type ImageRouteDeps } from './route-deps.js';

const TagParams = NamespaceItemParams('tag_name');

/** `X-Openstack-Append: true` keeps the tags there are; without it the new ones replace them. */
const AppendHeader = Type.Object({ 'x-openstack-append': Type.Optional(Type.Boolean()) });

/** /v2/metadefs/namespaces/{ns}/tags: list, create several, delete all; create one, show, rename, delete one. */
export function metadefTagRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { metadefs } = deps.images;
  return async (app) => {
    app.get('/v2/metadefs/namespaces/:namespace/tags', { schema: { params: NamespaceParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_tags');
      return { tags: (await metadefs.items(namespace, 'tag')).map(renderTag) };
    });

    app.post('/v2/metadefs/namespaces/:namespace/tags', { schema: { params: NamespaceParams, body: TagsBody, headers: AppendHeader } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'add_metadef_tags');
      const names = request.body.tags.map((tag) => tag.name);
      const tags = await metadefs.createTags(namespace, names, request.headers['x-openstack-append'] === true);
      return reply.code(201).send({ tags: tags.map((tag) => ({ name: tag.name })) });
    });

    app.delete('/v2/metadefs/namespaces/:namespace/tags', { schema: { params: NamespaceParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_namespace');
      await namespaceFor(deps, request, namespace.namespace, 'delete_metadef_tags');
      await metadefs.deleteItems(namespace, 'tag');
      return reply.code(204).send();
    });

    app.get('/v2/metadefs/namespaces/:namespace/tags/:tag_name', { schema: { params: TagParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_tag');
      return renderTag(await metadefs.item(namespace, 'tag', request.params.tag_name));
    });

    app.post('/v2/metadefs/namespaces/:namespace/tags/:tag_name', { schema: { params: TagParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'add_metadef_tag');
      const tag = await metadefs.createItem(namespace, 'tag', { name: request.params.tag_name, body: {} });
      return reply.code(201).send(renderTag(tag));
    });

    app.put('/v2/metadefs/namespaces/:namespace/tags/:tag_name', { schema: { params: TagParams, body: TagBody } }, async (request) => {
      refuseReadOnly(request.body);
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'modify_metadef_tag');
      return renderTag(await metadefs.updateItem(namespace, 'tag', request.params.tag_name, { name: request.body.name, body: {} }));
    });

    app.delete('/v2/metadefs/namespaces/:namespace/tags/:tag_name', { schema: { params: TagParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_tag');
      await metadefs.deleteItem(namespace, 'tag', request.params.tag_name);
      return reply.code(204).send();
    });
  };
}
