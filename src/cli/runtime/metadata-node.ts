/**
 * Nova's metadata API where the node serves compute (nova-api-metadata). Its other half, Neutron's
 * metadata agent, runs beside each network agent (network-agent-node.ts).
 */
import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { startMetadataApi, type MetadataApi } from '../../compute/api/metadata/index.js';
import { InstanceStore } from '../../compute/db/instance-store.js';
import type { ApiServiceName } from '../presets/api-services.js';
import { metadataProxySecret } from './bootstrap-secrets.js';

/** The metadata API, or undefined where this node does not serve compute. */
export async function startMetadataApiOf(config: NimbusConfig, db: Database, services: readonly ApiServiceName[]): Promise<MetadataApi | undefined> {
  if (!services.includes('compute')) return undefined;
  return startMetadataApi({
    instances: new InstanceStore(db),
    sharedSecret: metadataProxySecret(config.neutron.metadata_proxy_shared_secret, config.DEFAULT.state_dir),
    host: config.api.metadata_listen,
    port: config.api.metadata_listen_port,
  });
}
