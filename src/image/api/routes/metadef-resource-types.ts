import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AssociationBody, NamespaceItemParams, NamespaceParams, refuseReadOnly } from './metadef-bodies.js';
import { renderAssociation, renderResourceType } from './metadef-render.js';
import { authorize, namespaceFor, type ImageRouteDeps } from './route-deps.js';

const AssociationParams = NamespaceItemParams('resource_type');

/** /v2/metadefs/resource_types, and a namespace's associations with them. */
export function metadefResourceTypeRoutes(deps: ImageRouteDeps): FastifyPluginAsyncTypebox {
  const { metadefs } = deps.images;
  return async (app) => {
    app.get('/v2/metadefs/resource_types', async (request) => {
      authorize(deps, request, 'list_metadef_resource_types', { project_id: request.requestContext.projectId });
      return { resource_types: (await metadefs.resourceTypes()).map(renderResourceType) };
    });

    app.get('/v2/metadefs/namespaces/:namespace/resource_types', { schema: { params: NamespaceParams } }, async (request) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'list_metadef_resource_types');
      await namespaceFor(deps, request, namespace.namespace, 'get_metadef_resource_type');
      return { resource_type_associations: (await metadefs.associations(namespace)).map(renderAssociation) };
    });

    app.post('/v2/metadefs/namespaces/:namespace/resource_types', { schema: { params: NamespaceParams, body: AssociationBody } }, async (request, reply) => {
      refuseReadOnly(request.body);
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'add_metadef_resource_type_association');
      const { name, prefix, properties_target: propertiesTarget } = request.body;
      const association = await metadefs.associate(namespace, { name, prefix, properties_target: propertiesTarget });
      return reply.code(201).send(renderAssociation(association));
    });

    app.delete('/v2/metadefs/namespaces/:namespace/resource_types/:resource_type', { schema: { params: AssociationParams } }, async (request, reply) => {
      const namespace = await namespaceFor(deps, request, request.params.namespace, 'remove_metadef_resource_type_association');
      await metadefs.dissociate(namespace, request.params.resource_type);
      return reply.code(204).send();
    });
  };
}
