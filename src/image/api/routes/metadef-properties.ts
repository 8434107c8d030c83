import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NamespaceItemParams, NamespaceParams, PropertyBody } from './metadef-bodies.js';
import { propertyItem } from './metadef-items.js';
import { renderProperties, renderProperty } from './metadef-render.js';
import { namespaceFor, type ImageRouteDeps } from './route-deps.js';

const PropertyParams = NamespaceItemParams('property_name');

/** /v2/metadefs/namespaces/{ns}/properties: list, create, delete all; show, update (PUT, whole), delete one. */
export function metadefPropertyRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { metadefs } = deps.images;
  return async (app) => {
    app.get('/v2/metadefs/namespaces/:namespace/properties', { schema: { params: NamespaceParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_properties');
      return { properties: renderProperties(await metadefs.items(namespace, 'property')) };
    });

    app.post('/v2/metadefs/namespaces/:namespace/properties', { schema: { params: NamespaceParams, body: PropertyBody } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'add_metadef_property');
      const property = await metadefs.createItem(namespace, 'property', propertyItem(request.body.name, request.body));
      return reply.code(201).send(renderProperty(property));
    });

    // Glance checks delete_metadef_namespace: emptying a namespace is as much as deleting it.
    app.delete('/v2/metadefs/namespaces/:namespace/properties', { schema: { params: NamespaceParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'delete_metadef_namespace');
      await metadefs.deleteItems(namespace, 'property');
      return reply.code(204).send();
    });

    app.get('/v2/metadefs/namespaces/:namespace/properties/:property_name', { schema: { params: PropertyParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'get_metadef_property');
      return renderProperty(await metadefs.item(namespace, 'property', request.params.property_name));
    });

    app.put('/v2/metadefs/namespaces/:namespace/properties/:property_name', { schema: { params: PropertyParams, body: PropertyBody } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'modify_metadef_property');
      const property = await metadefs.updateItem(namespace, 'property', request.params.property_name, propertyItem(request.body.name, request.body));
      return renderProperty(property);
    });

    app.delete('/v2/metadefs/namespaces/:namespace/properties/:property_name', { schema: { params: PropertyParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'remove_metadef_property');
      await metadefs.deleteItem(namespace, 'property', request.params.property_name);
      return reply.code(204).send();
    });
  };
}
