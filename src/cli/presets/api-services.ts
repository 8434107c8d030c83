import { computeApi } from '../../compute/api/index.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { identityApi } from '../../identity/api/index.js';
import { imageApi } from '../../image/api/index.js';
import { networkApi } from '../../network/api/index.js';
import { volumeApi } from '../../volume/api/index.js';

/** The service APIs a node can host, in catalog order. */
export const API_SERVICE_NAMES = ['identity', 'image', 'compute', 'volume', 'network'] as const;
export type ApiServiceName = (typeof API_SERVICE_NAMES)[number];

const FACTORIES: Readonly<Record<ApiServiceName, (deps: ApiServiceDeps) => ApiService>> = {
  identity: identityApi,
  image: imageApi,
  compute: computeApi,
  volume: volumeApi,
  network: networkApi,
};

export function isApiServiceName(name: string): name is ApiServiceName {
  return (API_SERVICE_NAMES as readonly string[]).includes(name);
}

export function createApiServices(names: readonly ApiServiceName[], deps: ApiServiceDeps): ApiService[] {
  return names.map((name) => FACTORIES[name](deps));
}
