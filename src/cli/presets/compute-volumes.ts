/** How compute reaches the volume API: chosen here, from `[cinder]`, the node's own volume API and `[service_user]`. */
import type { NimbusConfig } from '../../common/config/options.js';
import { CinderClient } from '../../compute/volumes/cinder-client.js';
import type { ComputeVolumeApi } from '../../compute/volumes/volume-api.js';
import type { ServiceCredentials } from '../../identity/client/service-user-session.js';
import { configuredServiceUser } from '../runtime/service-credentials.js';

/**
 * The Cinder client compute uses: `[cinder] endpoint_override` first, then the node's own volume
 * API (`ownEndpoint`, when it serves one), then the `[service_user]` catalog; none of them: no
 * volume API (attaching is then refused with 503). `serviceUser` calls as the service (a node
 * serving identity passes its bootstrap admin when no `[service_user]` is set).
 */
export function computeVolumeApiOf(config: NimbusConfig, ownEndpoint?: () => string, serviceUser: ServiceCredentials | undefined = configuredServiceUser(config)): ComputeVolumeApi | undefined {
  const override = config.cinder.endpoint_override;
  const endpoint = override !== '' ? () => override : ownEndpoint;
  if (endpoint === undefined && config.service_user.auth_url === '') return undefined;
  return new CinderClient({ ...(endpoint === undefined ? {} : { endpoint }), ...(serviceUser === undefined ? {} : { serviceUser }) });
}
