import { join } from 'node:path';
import type { NimbusConfig } from '../common/config/options.js';
import type { Database } from '../common/db/database.js';
import { formatMatches } from './formats/format-matches.js';
import { inspectImage } from './formats/inspect-image.js';
import { ImageService } from './images/image-service.js';
import { FilesystemImageStore } from './stores/filesystem/filesystem-store.js';

/**
 * The image service of a node: data in `<state_dir>/images` (shared between hosts in a scaled-out
 * cloud, like Glance's filesystem store), every upload inspected, limits from [image]. Compute
 * calls the same ImageService in-process.
 */
export function createImageService(database: Database, config: NimbusConfig): ImageService {
  return new ImageService({
    database,
    store: new FilesystemImageStore(join(config.DEFAULT.state_dir, 'images')),
    formats: { inspect: inspectImage, formatMatches, requireFormatMatch: config.image.require_image_format_match },
    limits: {
      sizeCap: config.image.image_size_cap,
      sizeTotal: config.image.image_size_total,
      countTotal: config.image.image_count_total,
    },
  });
}
