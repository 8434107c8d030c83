import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { cacheAggregateImages } from '../../admin/aggregate-images.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServersService } from '../../servers/servers-service.js';
import { versioned } from '../../../common/http/versioned.js';
import { AggregateParams } from './aggregates.js';
import { integerId } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** schemas/aggregate_images.py aggregate_images_v2_81. */
export const AggregateImagesBody = Type.Object(
  { cache: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }), { minItems: 1 }) },
  { additionalProperties: false },
);

/** The route exists from 2.81; below it a 404, as Nova's api_version. */
const SINCE_2_81 = versioned([{ min: '2.81', value: true }]);

/** POST /v2.1/os-aggregates/{id}/images (2.81, admin): pre-cache images on the aggregate's hosts, 202. */
export function aggregateImageRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/os-aggregates/:aggregate_id/images', { schema: { params: AggregateParams, body: AggregateImagesBody } }, async (request, reply) => {
      SINCE_2_81.select(request.microversion);
      authorize(deps, request, 'compute:aggregates:images', {});
      const id = String(integerId(request.params.aggregate_id));
      const imageIds = request.body.cache.map((image) => image.id);
      await cacheAggregateImages({ aggregates: admin.aggregates, images: servers.images, agents: servers.actionSupport.agents }, request.requestContext, id, imageIds);
      return reply.code(202).send();
    });
  };
}
