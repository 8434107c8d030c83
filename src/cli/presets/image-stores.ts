import { join } from 'node:path';
import type { NimbusConfig } from '../../common/config/options.js';
import { FilesystemImageStore } from '../../image/stores/filesystem/filesystem-store.js';
import type { ImageStore } from '../../image/stores/image-store.js';

/**
 * Where image data lives: `<state_dir>/images` (shared between hosts in a scaled-out cloud, like
 * Glance's filesystem store). The one place that picks the image store.
 */
export function imageStoreOf(config: NimbusConfig): ImageStore {
  return new FilesystemImageStore(join(config.DEFAULT.state_dir, 'images'));
}

/**
 * Where glance-direct stages data until it is imported (Glance's node_staging_uri):
 * `<state_dir>/image-staging`, beside the store, so an import is a copy on the same disk.
 */
export function imageStagingOf(config: NimbusConfig): ImageStore {
  return new FilesystemImageStore(join(config.DEFAULT.state_dir, 'image-staging'));
}
