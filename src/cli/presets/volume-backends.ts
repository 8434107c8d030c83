import type { NimbusConfig } from '../../common/config/options.js';
import type { VolumeDriver } from '../../volume/backends/volume-driver.js';
import { FileVolumeDriver } from '../../volume/backends/file/file-driver.js';
import type { BackupDriver } from '../../volume/backup/drivers/backup-driver.js';
import { PosixBackupDriver } from '../../volume/backup/drivers/posix/posix-backup-driver.js';

/** The volume backends a node serves: the file backend under `[volume] volumes_dir` (LVM joins here). */
export function volumeBackendsOf(config: NimbusConfig): VolumeDriver[] {
  return [new FileVolumeDriver({ directory: config.volume.volumes_dir, backendName: config.volume.volume_backend_name })];
}

/** The backup service's driver: chunks in `[backup] backup_posix_path`. */
export function backupDriverOf(config: NimbusConfig): BackupDriver {
  const { backup } = config;
  return new PosixBackupDriver({ directory: backup.backup_posix_path, chunkSize: backup.chunk_size, shaBlockSize: backup.sha_block_size });
}
