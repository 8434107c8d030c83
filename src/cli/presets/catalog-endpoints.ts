import type { BootstrapEndpoint } from '../../identity/bootstrap/bootstrap.js';
import type { ApiServiceName } from './api-services.js';

interface CatalogEntry {
  readonly type: string;
  readonly name: string;
  readonly path: string;
}

/**
 * Catalog entries of the services that really serve their API, as DevStack registers them.
 * Network is listed as DevStack lists Neutron and volume as it lists Cinder, under both its
 * types: clients trust the catalog (OSC's `quota show` and `limits show` call both once listed).
 */
const CATALOG: Readonly<Partial<Record<ApiServiceName, readonly CatalogEntry[]>>> = {
  identity: [{ type: 'identity', name: 'keystone', path: '/identity' }],
  image: [{ type: 'image', name: 'glance', path: '/image' }],
  compute: [{ type: 'compute', name: 'nova', path: '/compute/v2.1' }],
  network: [{ type: 'network', name: 'neutron', path: '/network' }],
  volume: [
    { type: 'block-storage', name: 'cinder', path: '/volume/v3/$(project_id)s' },
    { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/$(project_id)s' },
  ],
};

/** The endpoints to register for `services` reached at `publicUrl`, the same URL on all three interfaces. */
export function catalogEndpoints(publicUrl: string, services: readonly ApiServiceName[]): BootstrapEndpoint[] {
  return services.flatMap((service) =>
    (CATALOG[service] ?? []).map(({ type, name, path }) => {
      const url = publicUrl + path;
      return { type, name, urls: { public: url, internal: url, admin: url } };
    }),
  );
}
