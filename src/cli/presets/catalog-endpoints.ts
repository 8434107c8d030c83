import type { BootstrapEndpoint } from '../../identity/bootstrap/bootstrap.js';
import type { ApiServiceName } from './api-services.js';

/** Catalog entries per API service, as DevStack registers them (volume under two types). */
const CATALOG: Readonly<Record<ApiServiceName, readonly { type: string; name: string; path: string }[]>> = {
  identity: [{ type: 'identity', name: 'keystone', path: '/identity' }],
  image: [{ type: 'image', name: 'glance', path: '/image' }],
  compute: [{ type: 'compute', name: 'nova', path: '/compute/v2.1' }],
  volume: [
    { type: 'block-storage', name: 'cinder', path: '/volume/v3/$(project_id)s' },
    { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/$(project_id)s' },
  ],
  network: [{ type: 'network', name: 'neutron', path: '/network' }],
};

/** The endpoints to register for `services` reached at `publicUrl`, the same URL on all three interfaces. */
export function catalogEndpoints(publicUrl: string, services: readonly ApiServiceName[]): BootstrapEndpoint[] {
  return services.flatMap((service) =>
    CATALOG[service].map(({ type, name, path }) => {
      const url = publicUrl + path;
      return { type, name, urls: { public: url, internal: url, admin: url } };
    }),
  );
}
