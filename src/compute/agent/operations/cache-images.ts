/**
 * cache_images (Nova's compute manager cache_images, 2.81): fetch each image into the host's
 * base-image cache so later boots skip the download. Best effort, as Nova's: a failing image is
 * logged and the next one tried; the API answered 202 already.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export function cacheImagesOperation({ deps }: OperationContext): Pick<AgentHandlers, 'cache_images'> {
  return {
    cache_images: async ({ imageIds }) => {
      for (const imageId of imageIds) {
        try {
          const result = await deps.driver.cacheImage(await deps.images.getImageMeta(imageId));
          LOG.info(`Image ${imageId} ${result === 'cached' ? 'cached' : 'was cached already'} on ${deps.host}`);
        } catch (error) {
          LOG.warning(`Caching image ${imageId} failed: ${messageOf(error)}`);
        }
      }
    },
  };
}
