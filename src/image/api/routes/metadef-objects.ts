import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NamespaceItemParams, NamespaceParams, ObjectBody, refuseReadOnly } from './metadef-bodies.js';
import { objectItem } from './metadef-items.js';
import { renderObject } from './metadef-render.js';
import { namespaceFor, type ImageRouteDeps } from './route-deps.js';

const ObjectParams = NamespaceItemParams('object_name');

/** /v2/metadefs/namespaces/{ns}/objects: list, create, delete all; show, update (PUT, whole), delete one. */
export function metadefObjectRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { metadefs } = deps.images;
  return async (app) => {
    app.get('/v2/metadefs/namespaces/:namespace/objects', { schema: { params: NamespaceParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_objects');
      const objects = await metadefs.items(namespace, 'object');
      return { objects: objects.map((object) => renderObject(namespace.namespace, object)), schema: '/v2/schemas/metadefs/objects' };
    });

    app.post('/v2/metadefs/namespaces/:namespace/objects', { schema: { params: NamespaceParams, body: ObjectBody } }, async (request, reply) => {
      refuseReadOnly(request.body);
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'add_metadef_object');
      const object = await metadefs.createItem(namespace, 'object', objectItem(request.body));
      return reply.code(201).send(renderObject(namespace.namespace, object));
    });

    // Glance checks delete_metadef_namespace: emptying a namespace is as much as deleting it.
    app.delete('/v2/metadefs/namespaces/:namespace/objects', { schema: { params: NamespaceParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_namespace');
      await metadefs.deleteItems(namespace, 'object');
      return reply.code(204).send();
    });

    app.get('/v2/metadefs/namespaces/:namespace/objects/:object_name', { schema: { params: ObjectParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_object');
      return renderObject(namespace.namespace, await metadefs.item(namespace, 'object', request.params.object_name));
    });

    app.put('/v2/metadefs/namespaces/:namespace/objects/:object_name', { schema: { params: ObjectParams, body: ObjectBody } }, async (request) => {
      refuseReadOnly(request.body);
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'modify_metadef_object');
      const object = await metadefs.updateItem(namespace, 'object', request.params.object_name, objectItem(request.body));
      return renderObject(namespace.namespace, object);
    });

    app.delete('/v2/metadefs/namespaces/:namespace/objects/:object_name', { schema: { params: ObjectParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_object');
      await metadefs.deleteItem(namespace, 'object', request.params.object_name);
      return reply.code(204).send();
    });
  };
}
