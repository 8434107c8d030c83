import { join } from 'node:path';
import type { NimbusConfig } from '../../common/config/options.js';
import { parseBackends } from '../../common/config/options.js';
import { ImageBackends } from '../../image/stores/backends.js';
import { FilesystemImageStore } from '../../image/stores/filesystem/filesystem-store.js';
import type { ImageStore } from '../../image/stores/image-store.js';

/** glance_store's filesystem_store_chunk_size default: what /v2/info/stores/detail reports. */
const FILE_CHUNK_SIZE = 65536;

/**
 * Where image data lives. With `[DEFAULT] enabled_backends`, one filesystem store per entry, in
 * its section's filesystem_store_datadir, `[glance_store] default_backend` (or the first) taking
 * uploads that name none. Without, one store at `<state_dir>/images` (shared between hosts in a
 * scaled-out cloud, like Glance's filesystem store). The one place that picks the image stores.
 */
export function imageBackendsOf(config: NimbusConfig): ImageBackends {
  const entries = parseBackends(config.DEFAULT.enabled_backends);
  const first = entries[0];
  if (first === undefined) return ImageBackends.single(new FilesystemImageStore(join(config.DEFAULT.state_dir, 'images')));
  const backends = entries.map(({ id, type }) => {
    const options = config.stores[id];
    if (options === undefined) throw new Error(`No options resolved for image store ${id}`);
    const directory = options.filesystem_store_datadir;
    return {
      id,
      type,
      description: options.store_description,
      store: new FilesystemImageStore(directory),
      properties: { data_dir: directory, chunk_size: FILE_CHUNK_SIZE, thin_provisioning: false },
    };
  });
  return ImageBackends.several(backends, config.glance_store.default_backend === '' ? first.id : config.glance_store.default_backend);
}

/**
 * Where glance-direct stages data until it is imported (Glance's node_staging_uri):
 * `<state_dir>/image-staging`, beside the store, so an import is a copy on the same disk.
 */
export function imageStagingOf(config: NimbusConfig): ImageStore {
  return new FilesystemImageStore(join(config.DEFAULT.state_dir, 'image-staging'));
}
