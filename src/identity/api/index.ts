import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { IdentityCore } from '../identity-core.js';
import { accessRuleRoutes } from './routes/access-rules.js';
import { applicationCredentialRoutes } from './routes/application-credentials.js';
import { authTokenRoutes, type AuthRouteDeps } from './routes/auth-tokens.js';
import { credentialRoutes } from './routes/credentials.js';
import { ec2CredentialRoutes } from './routes/ec2-credentials.js';
import { identityResourceRoutes } from './routes/index.js';
import { trustRoutes } from './routes/trusts.js';
import { identityVersionRoutes } from './versions.js';

/** Keystone v3 at /identity: version documents, /v3/auth, and the resource API. */
export function identityApi(deps: ApiServiceDeps, core: IdentityCore): ApiService {
  const routeDeps: AuthRouteDeps = {
    managers: core.managers,
    policy: deps.policy,
    credentialsOf: (request) => credentialsOf(request.requestContext),
    get publicUrl() {
      return deps.publicUrl;
    },
    authenticator: core.authenticator,
    tokens: core.tokens,
    validator: core.validator,
  };
  return {
    name: 'identity',
    prefix: '/identity',
    faultFormat: 'keystone',
    routes: authenticated(
      { ...deps.auth, serviceTypes: ['identity'] },
      identityVersionRoutes(deps),
      authTokenRoutes(routeDeps),
      identityResourceRoutes(routeDeps),
      applicationCredentialRoutes(routeDeps),
      accessRuleRoutes(routeDeps),
      credentialRoutes(routeDeps),
      ec2CredentialRoutes(routeDeps),
      trustRoutes(routeDeps),
    ),
  };
}
