/**
 * The aggregate image cache (Nova's 2.81 POST /os-aggregates/{id}/images, conductor cache_images):
 * every image must exist, then each host of the aggregate is asked to fetch them into its
 * base-image cache. The request returns once the casts are sent; the hosts work in the background.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ComputeAgentApi } from '../agent/rpc-api.js';
import type { ImageLookup } from '../servers/create-servers.js';
import type { Aggregates } from './aggregates.js';

const LOG = getLogger('nimbus.compute.api');

export interface AggregateImagesDeps {
  readonly aggregates: Aggregates;
  readonly images: ImageLookup;
  readonly agents: ComputeAgentApi;
}

export async function cacheAggregateImages(deps: AggregateImagesDeps, context: RequestContext, aggregateId: string, imageIds: readonly string[]): Promise<void> {
  if (new Set(imageIds).size !== imageIds.length) throw new BadRequest('Duplicate images in request');
  const aggregate = await deps.aggregates.get(aggregateId);
  for (const id of imageIds) {
    try {
      await deps.images.getImageForCompute(context, id);
    } catch (error) {
      if (error instanceof NimbusError && error.status === 404) throw new BadRequest(`Image ${id} could not be found.`);
      throw error;
    }
  }
  LOG.info(`Preparing to request pre-caching of image(s) ${imageIds.join(',')} on ${aggregate.hosts.length} hosts.`);
  for (const host of aggregate.hosts) await deps.agents.cast(host, 'cache_images', { imageIds });
}
