import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NeutronFault } from '../../errors.js';
import type { ResourceView } from '../../plugin/caller.js';
import type { TaggableCollection } from '../../plugin/tags.js';
import { onNetworkTarget } from './network-target.js';
import { enforceOn } from './policy-checks.js';
import { ownedTarget } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';

/** Each taggable collection: its URL segment and its policy member. */
const PARENTS: readonly { readonly collection: TaggableCollection; readonly path: string; readonly member: string }[] = [
  { collection: 'networks', path: 'networks', member: 'network' },
  { collection: 'subnets', path: 'subnets', member: 'subnet' },
  { collection: 'subnetpools', path: 'subnetpools', member: 'subnetpool' },
  { collection: 'ports', path: 'ports', member: 'port' },
  { collection: 'security_groups', path: 'security-groups', member: 'security_group' },
  { collection: 'routers', path: 'routers', member: 'router' },
  { collection: 'floatingips', path: 'floatingips', member: 'floatingip' },
];

const Tag = Type.String({ minLength: 1, maxLength: 60 });
const TagsBody = Type.Object({ tags: Type.Array(Tag, { uniqueItems: true }) }, { additionalProperties: false });
const ParentParams = Type.Object({ id: Type.String() });
const TagParams = Type.Object({ id: Type.String(), tag: Tag });

/** Neutron's standard-attr-tag: /v2.0/<collection>/<id>/tags[/<tag>]. */
export function tagRoutes(deps: NetworkRouteDeps): FastifyPluginAsyncTypebox {
  const { plugin } = deps;
  return async (app) => {
    for (const { collection, path, member } of PARENTS) {
      const base = `/v2.0/${path}/:id/tags`;
      const views: Readonly<Record<TaggableCollection, (id: string) => Promise<ResourceView>>> = {
        networks: (id) => plugin.networks.get(id),
        subnets: (id) => plugin.subnets.get(id),
        subnetpools: (id) => plugin.subnetPools.get(id),
        ports: (id) => plugin.ports.get(id),
        security_groups: (id) => plugin.securityGroups.get(id),
        routers: (id) => plugin.routers.get(id),
        floatingips: (id) => plugin.floatingIps.get(id),
      };
      /** The parent, checked as a read (`get_…`) or a change (`update_…`): 404 when the caller cannot see it. */
      const authorize = async (request: FastifyRequest, id: string, action: 'get' | 'update') => {
        const notFound = () => new NeutronFault(404, 'TagResourceNotFound', `Resource ${collection} ${id} could not be found.`);
        const view = await views[collection](id).catch((error: unknown) => {
          throw error instanceof NeutronFault && error.status === 404 ? notFound() : error;
        });
        const target = collection === 'subnets' || collection === 'ports' ? await onNetworkTarget(plugin, view, view['project_id']) : ownedTarget(view, view['project_id']);
        enforceOn(deps, request, `${action}_${member}`, member, target, notFound);
      };

      app.get(base, { schema: { params: ParentParams } }, async (request) => {
        await authorize(request, request.params.id, 'get');
        return { tags: await plugin.tags.list(collection, request.params.id) };
      });
      app.put(base, { schema: { params: ParentParams, body: TagsBody } }, async (request) => {
        await authorize(request, request.params.id, 'update');
        return { tags: await plugin.tags.replace(collection, request.params.id, request.body.tags) };
      });
      app.delete(base, { schema: { params: ParentParams } }, async (request, reply) => {
        await authorize(request, request.params.id, 'update');
        await plugin.tags.removeAll(collection, request.params.id);
        return reply.code(204).send();
      });
      app.get(`${base}/:tag`, { schema: { params: TagParams } }, async (request, reply) => {
        await authorize(request, request.params.id, 'get');
        if (!(await plugin.tags.has(collection, request.params.id, request.params.tag))) {
          throw new NeutronFault(404, 'TagNotFound', `Tag ${request.params.tag} could not be found.`);
        }
        return reply.code(204).send();
      });
      app.put(`${base}/:tag`, { schema: { params: TagParams } }, async (request, reply) => {
        await authorize(request, request.params.id, 'update');
        await plugin.tags.add(collection, request.params.id, request.params.tag);
        return reply.code(201).send();
      });
      app.delete(`${base}/:tag`, { schema: { params: TagParams } }, async (request, reply) => {
        await authorize(request, request.params.id, 'update');
        await plugin.tags.remove(collection, request.params.id, request.params.tag);
        return reply.code(204).send();
      });
    }
  };
}
