import type { NimbusConfig } from '../../common/config/options.js';
import type { VolumeDriver } from '../../volume/backends/volume-driver.js';
import { FileVolumeDriver } from '../../volume/backends/file/file-driver.js';

/** The volume backends a node serves: the file backend under `[volume] volumes_dir` (LVM joins here). */
export function volumeBackendsOf(config: NimbusConfig): VolumeDriver[] {
  return [new FileVolumeDriver({ directory: config.volume.volumes_dir, backendName: config.volume.volume_backend_name })];
}
