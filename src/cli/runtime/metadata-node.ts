/**
 * The metadata service's two server-side parts on a node: Nova's metadata API where the node
 * serves compute (nova-api-metadata), Neutron's metadata agent where it serves network (its unix
 * socket is what the proxies in the namespaces forward to). Where both run, the agent forwards to
 * the port the API actually bound.
 */
import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { startMetadataApi, type MetadataApi } from '../../compute/api/metadata/index.js';
import { InstanceStore } from '../../compute/db/instance-store.js';
import { NetworkStore } from '../../network/db/network-store.js';
import { startMetadataAgent, type MetadataAgent } from '../../network/metadata/metadata-agent.js';
import type { ApiServiceName } from '../presets/api-services.js';
import { metadataProxySecret } from './bootstrap-secrets.js';

export interface MetadataParts {
  /** The metadata API's port, where this node serves it. */
  readonly apiPort: number | undefined;
  stop(): Promise<void>;
}

export async function startMetadataParts(config: NimbusConfig, db: Database, services: readonly ApiServiceName[]): Promise<MetadataParts> {
  const sharedSecret = metadataProxySecret(config.neutron.metadata_proxy_shared_secret, config.DEFAULT.state_dir);
  let api: MetadataApi | undefined;
  let agent: MetadataAgent | undefined;
  try {
    if (services.includes('compute')) {
      api = await startMetadataApi({ instances: new InstanceStore(db), sharedSecret, host: config.api.metadata_listen, port: config.api.metadata_listen_port });
    }
    if (services.includes('network')) {
      const port = api?.port ?? config.DEFAULT.nova_metadata_port;
      const host = api === undefined ? config.DEFAULT.nova_metadata_host : config.api.metadata_listen;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      agent = await startMetadataAgent({ socketPath: config.DEFAULT.metadata_proxy_socket, store: NetworkStore.open(db), novaMetadataUrl: () => url, sharedSecret });
    }
  } catch (error) {
    await api?.close();
    throw error;
  }
  return {
    apiPort: api?.port,
    async stop() {
      await agent?.close();
      await api?.close();
    },
  };
}
