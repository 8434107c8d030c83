import { join } from 'node:path';
import type { Transport } from '../../common/bus/transport.js';
import type { NimbusConfig } from '../../common/config/options.js';
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ImageService } from '../../image/images/image-service.js';
import type { ComputeNotifier } from '../../volume/compute/nova-client.js';
import { createVolumeCore, type VolumeCore } from '../../volume/volume-core.js';
import { volumeImageLookup, volumeImageSource } from '../../volume/volume-images.js';
import { startVolumeWorkers, type VolumeWorkers } from '../../volume/workers.js';
import { backupDriverOf, volumeBackendsOf, volumeExportPolicyOf } from '../presets/volume-backends.js';

/** The volume API's managers and its workers on this node. */
export interface VolumeNodeParts {
  readonly core: VolumeCore;
  readonly workers: VolumeWorkers;
}

/**
 * Starts the volume scheduler and the volume services of the configured backends, and builds the
 * API's managers on them. Images come from the node's image service under the request's context
 * (the caller's visibility), or an admin one for work no request caused.
 */
export async function startVolumeNode(
  config: NimbusConfig,
  database: Database,
  transport: Transport,
  images: ImageService,
  /** The compute hosts this node runs besides its [DEFAULT] host: they open volumes by their path. */
  computeHosts: readonly string[],
  compute?: ComputeNotifier,
): Promise<VolumeNodeParts> {
  const context = () => currentContext() ?? newAdminContext();
  const workers = await startVolumeWorkers({
    database,
    transport,
    drivers: volumeBackendsOf(config),
    backupDriver: backupDriverOf(config),
    backupProgressPercent: config.backup.progress_percent,
    host: config.DEFAULT.host,
    availabilityZone: config.volume.storage_availability_zone,
    images: volumeImageSource(images, context),
    stagingDir: join(config.DEFAULT.state_dir, 'volume-staging'),
    rpcTimeoutSeconds: config.bus.rpc_response_timeout,
    reservedPercentage: config.volume.reserved_percentage,
    maxOverSubscriptionRatio: config.volume.max_over_subscription_ratio,
    messageTtlSeconds: config.volume.message_ttl,
    messageReapIntervalMs: config.volume.message_reap_interval * 1000,
    exports: volumeExportPolicyOf(config, [config.DEFAULT.host, ...computeHosts]),
    ...(compute === undefined ? {} : { compute }),
  });
  const core = createVolumeCore(
    {
      database,
      scheduler: workers.schedulerClient,
      managers: workers.managerClient,
      backupManagers: workers.backupClient,
      services: new ServiceRegistry(database, { serviceDownTimeSeconds: config.DEFAULT.service_down_time }),
      images: volumeImageLookup(images),
    },
    config,
  );
  return { core, workers };
}
