import { computeApi } from '../../compute/api/index.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import type { RuleDefault } from '../../common/policy/policy.js';
import { identityApi } from '../../identity/api/index.js';
import { TOKEN_POLICIES } from '../../identity/auth/policies.js';
import type { IdentityCore } from '../../identity/identity-core.js';
import { IDENTITY_POLICIES } from '../../identity/policies.js';
import { imageApi } from '../../image/api/index.js';
import { networkApi } from '../../network/api/index.js';
import { volumeApi } from '../../volume/api/index.js';

/** The service APIs a node can host, in catalog order. */
export const API_SERVICE_NAMES = ['identity', 'image', 'compute', 'volume', 'network'] as const;
export type ApiServiceName = (typeof API_SERVICE_NAMES)[number];

const FACTORIES: Readonly<Record<ApiServiceName, (deps: ApiServiceDeps, identity: IdentityCore) => ApiService>> = {
  identity: identityApi,
  image: imageApi,
  compute: computeApi,
  volume: volumeApi,
  network: networkApi,
};

/** Every policy rule default of every service: one enforcer serves them all. */
export const POLICY_DEFAULTS: readonly RuleDefault[] = [...IDENTITY_POLICIES, ...TOKEN_POLICIES];

export function isApiServiceName(name: string): name is ApiServiceName {
  return (API_SERVICE_NAMES as readonly string[]).includes(name);
}

export function createApiServices(names: readonly ApiServiceName[], deps: ApiServiceDeps, identity: IdentityCore): ApiService[] {
  return names.map((name) => FACTORIES[name](deps, identity));
}
