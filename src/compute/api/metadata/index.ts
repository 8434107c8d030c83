/**
 * Nova's metadata API on its own listener (nova-api-metadata: `[api] metadata_listen`,
 * `metadata_listen_port`), reading instances through compute's instance store.
 */
import type { AddressInfo } from 'node:net';
import { StartupError } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { guestSpec } from '../../agent/guest-spec.js';
import type { InstanceStore } from '../../db/instance-store.js';
import { buildMetadataApp, type MetadataInstances } from './metadata-app.js';

const LOG = getLogger('nimbus.compute.api.metadata');

/** The instances as the metadata API reads them: the agent's view of the row, as the config drive renders it. */
export function metadataInstancesOf(store: InstanceStore): MetadataInstances {
  return {
    async find(uuid) {
      const found = await store.forMetadata(uuid);
      return found === undefined ? undefined : { instance: guestSpec(found.instance), reservationId: found.reservationId };
    },
  };
}

export interface MetadataApiOptions {
  readonly instances: InstanceStore;
  readonly sharedSecret: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface MetadataApi {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetadataApi(options: MetadataApiOptions): Promise<MetadataApi> {
  const app = buildMetadataApp({ instances: metadataInstancesOf(options.instances), sharedSecret: options.sharedSecret });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    throw new StartupError(`Cannot listen for the metadata API on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  const port = (app.server.address() as AddressInfo).port;
  LOG.info(`Metadata API listening on ${options.host}:${port}`);
  return { port, close: () => app.close() };
}
