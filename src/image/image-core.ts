import type { NimbusConfig } from '../common/config/options.js';
import type { Database } from '../common/db/database.js';
import { formatMatches } from './formats/format-matches.js';
import { inspectImage } from './formats/inspect-image.js';
import { ImageService } from './images/image-service.js';
import type { ImageBackends } from './stores/backends.js';
import type { ImageStore } from './stores/image-store.js';

/**
 * The image service of a node: data in the store the composition root chose
 * (`cli/presets/image-stores.ts`), every upload inspected, limits from [image]. Compute calls the
 * same ImageService in-process.
 */
export function createImageService(database: Database, config: NimbusConfig, stores: { data: ImageBackends; staging: ImageStore }): ImageService {
  return new ImageService({
    database,
    backends: stores.data,
    staging: stores.staging,
    formats: { inspect: inspectImage, formatMatches, requireFormatMatch: config.image.require_image_format_match },
    limits: {
      sizeCap: config.image.image_size_cap,
      sizeTotal: config.image.image_size_total,
      countTotal: config.image.image_count_total,
    },
  });
}
