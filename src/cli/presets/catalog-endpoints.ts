import type { BootstrapEndpoint } from '../../identity/bootstrap/bootstrap.js';
import type { ApiServiceName } from './api-services.js';

interface CatalogEntry {
  readonly type: string;
  readonly name: string;
  readonly path: string;
}

/**
 * Catalog entries of the services that really serve their API, as DevStack registers them.
 * Volume answers version discovery only, so it is not listed yet: clients trust the catalog
 * (OSC's `quota show` and `limits show` call Cinder and Neutron whenever it lists them). Volume
 * joins with one entry here once it serves, as block-storage/cinder and volumev3/cinderv3 at
 * /volume/v3/$(project_id)s.
 */
const CATALOG: Readonly<Partial<Record<ApiServiceName, readonly CatalogEntry[]>>> = {
  identity: [{ type: 'identity', name: 'keystone', path: '/identity' }],
  image: [{ type: 'image', name: 'glance', path: '/image' }],
  compute: [{ type: 'compute', name: 'nova', path: '/compute/v2.1' }],
  network: [{ type: 'network', name: 'neutron', path: '/network' }],
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
