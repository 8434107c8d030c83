import type { NimbusConfig } from '../../common/config/options.js';
import type { VolumeDriver } from '../../volume/backends/volume-driver.js';
import { FileVolumeDriver } from '../../volume/backends/file/file-driver.js';
import { join } from 'node:path';
import { getLogger } from '../../common/logging/logger.js';
import { NbdTarget } from '../../volume/targets/nbd/nbd-target.js';
import { storageDaemonBinary } from '../../volume/targets/nbd/storage-daemon.js';
import type { VolumeExportPolicy } from '../../volume/targets/target-protocol.js';
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

/**
 * How compute hosts reach this node's volumes: `[volume] target_protocol`, with the hosts this
 * node runs itself as the local ones, and NBD exports by qemu-storage-daemon where it is installed.
 */
export function volumeExportPolicyOf(config: NimbusConfig, localHosts: readonly string[]): VolumeExportPolicy {
  const { volume } = config;
  const binary = storageDaemonBinary();
  if (binary === undefined) {
    if (volume.target_protocol !== 'file') getLogger('nimbus.volume').warning('qemu-storage-daemon is not installed: only compute hosts on this node can attach its volumes');
    return { protocol: volume.target_protocol, localHosts };
  }
  const target = new NbdTarget({
    binary,
    directory: join(config.DEFAULT.state_dir, 'volume-exports'),
    address: volume.target_ip_address,
    firstPort: volume.target_port,
    portCount: volume.target_port_count,
  });
  return { protocol: volume.target_protocol, localHosts, target };
}
