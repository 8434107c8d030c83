/** A call an application credential's token may make (Keystone's access rule). */
export interface AccessRuleGrant {
  /** The catalog's service type. */
  readonly service: string;
  /** A path template below the service's endpoint. */
  readonly path: string;
  readonly method: string;
}

/** Who a valid token speaks for: what keystonemiddleware puts in the request environment. */
export interface AuthenticatedToken {
  readonly userId: string;
  readonly userName: string;
  readonly userDomainId: string;
  /** Project-scoped tokens. */
  readonly projectId?: string;
  readonly projectName?: string;
  readonly projectDomainId?: string;
  /** Domain-scoped tokens. */
  readonly domainId?: string;
  /** Role names in the token's scope, implied roles included. */
  readonly roles: readonly string[];
  readonly expiresAt: Date;
  /** Set for a token of an application credential with access rules: only these calls are allowed. */
  readonly accessRules?: readonly AccessRuleGrant[];
}

/**
 * Validates a token string. In one process this is the identity service's own provider; a
 * remote service would ask the identity API. Rejects with Unauthorized for any invalid token.
 */
export interface TokenValidator {
  validate(token: string): Promise<AuthenticatedToken>;
}
