import type { AuthTokenOptions } from '../auth/auth-token.js';
import type { PolicyEnforcer } from '../policy/policy.js';

/** What every service API needs from the composition root, whatever else it takes. */
export interface ApiServiceDeps {
  /** Base URL clients reach the listener at (no trailing slash); version links and the catalog use it. */
  readonly publicUrl: string;
  /** Token validation for the service's auth middleware. */
  readonly auth: AuthTokenOptions;
  /** The one policy enforcer every service shares. */
  readonly policy: PolicyEnforcer;
}
