import { randomBytes } from 'node:crypto';
import { NotFound } from '../../common/errors/errors.js';
import { tokenFingerprint } from '../../common/logging/token-redaction.js';
import { fernetDecrypt, fernetEncrypt, InvalidFernetToken } from './fernet.js';
import type { FernetKeySet } from './key-repository.js';
import type { RevocationEvent, RevocationList } from './revocation.js';
import {
  AUTH_METHODS,
  decodeTokenPayload,
  encodeTokenPayload,
  InvalidTokenPayload,
  type AuthMethod,
  type TokenPayload,
  type TokenScope,
} from './token-payload.js';

/** Keystone's `[token] expiration` default: 24 hours. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;
const DEFAULT_CACHE_SIZE = 10_000;

/** Why a token was refused. Callers answer 401 when authenticating, 404 when validating (as Keystone). */
export type TokenRejection = 'invalid' | 'expired' | 'revoked';

/**
 * Keystone's TokenNotFound: garbled, tampered, made with a pruned key, expired or revoked. Its
 * message names the token by fingerprint, not whole as Keystone's does: it is logged.
 */
export class TokenNotFound extends NotFound {
  readonly reason: TokenRejection;

  constructor(token: string, reason: TokenRejection) {
    super(`Could not find token: ${tokenFingerprint(token)}`);
    this.reason = reason;
  }
}

/** Where the provider reads keys: the key repository, which reloads them after a rotation. */
export interface FernetKeySource {
  readonly keys: FernetKeySet;
}

export interface TokenProviderOptions {
  readonly keys: FernetKeySource;
  readonly revocations: RevocationList;
  /** Lifetime of a new (not rescoped) token; default 24 h. */
  readonly lifetimeSeconds?: number;
  /** Decoded tokens kept for fast validation; least recently used go first. Default 10 000. */
  readonly cacheSize?: number;
  readonly now?: () => Date;
}

export interface IssueTokenInput {
  readonly userId: string;
  readonly methods: readonly AuthMethod[];
  readonly scope: TokenScope;
  /**
   * The validated token being exchanged (auth method `token`): the new token keeps its user,
   * its audit chain and its expiry, and adds its methods to `methods`.
   */
  readonly parent?: TokenPayload;
  /** The application credential authenticated with (method `application_credential`). */
  readonly applicationCredentialId?: string;
  /** The trust the token is scoped to (a trustee's token on the trust's project). */
  readonly trustId?: string;
  /** The token expires then at the latest (a trust's expiry). */
  readonly notAfter?: Date;
}

export interface IssuedToken {
  readonly token: string;
  readonly payload: TokenPayload;
}

/**
 * Issues and validates Fernet tokens. Nothing is stored per token: validation decrypts with the
 * keys, then checks expiry and the revocation list, both in memory. Decoded payloads are cached
 * by token string so a repeated validation costs a map lookup; the cache never answers past a
 * token's expiry, after a revocation, or across a key change.
 */
export class TokenProvider {
  readonly #keys: FernetKeySource;
  readonly #revocations: RevocationList;
  readonly #lifetimeMs: number;
  readonly #cacheSize: number;
  readonly #now: () => Date;
  /** Insertion order is recency order: a hit moves the entry to the end, eviction takes the first. */
  readonly #cache = new Map<string, TokenPayload>();
  #cacheGeneration = -1;

  constructor(options: TokenProviderOptions) {
    this.#keys = options.keys;
    this.#revocations = options.revocations;
    this.#lifetimeMs = (options.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
    this.#cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.#now = options.now ?? (() => new Date());
  }

  issue(input: IssueTokenInput): IssuedToken {
    const { parent } = input;
    if (parent !== undefined && parent.userId !== input.userId) {
      throw new Error('A rescoped token must belong to the user of the token it replaces');
    }
    const issuedAt = this.#now();
    const auditId = randomBytes(16).toString('base64url');
    const lifetimeEnd = parent?.expiresAt ?? new Date(issuedAt.getTime() + this.#lifetimeMs);
    const expiresAt = input.notAfter !== undefined && input.notAfter.getTime() < lifetimeEnd.getTime() ? input.notAfter : lifetimeEnd;
    const payload: TokenPayload = {
      userId: input.userId,
      methods: unionOfMethods(input.methods, parent?.methods ?? []),
      scope: input.scope,
      issuedAt,
      expiresAt,
      auditIds: parent === undefined ? [auditId] : [auditId, parent.auditIds[1] ?? parent.auditIds[0]],
      ...(input.applicationCredentialId === undefined ? {} : { applicationCredentialId: input.applicationCredentialId }),
      ...(input.trustId === undefined ? {} : { trustId: input.trustId }),
    };
    const token = fernetEncrypt(this.#currentKeys().primary, encodeTokenPayload(payload), issuedAt);
    this.#remember(token, payload);
    return { token, payload };
  }

  /** The token's payload, or TokenNotFound when it is garbled, expired or revoked. */
  validate(token: string): TokenPayload {
    const keys = this.#currentKeys();
    let payload = this.#cache.get(token);
    if (payload === undefined) {
      payload = decrypt(keys, token);
    } else {
      this.#cache.delete(token);
    }
    if (payload.expiresAt.getTime() <= this.#now().getTime()) throw new TokenNotFound(token, 'expired');
    if (this.#revocations.isRevoked(payload)) throw new TokenNotFound(token, 'revoked');
    this.#remember(token, payload);
    return payload;
  }

  /** Revokes one token (and those rescoped from it), as `DELETE /v3/auth/tokens`. */
  revokeToken(payload: TokenPayload): Promise<void> {
    return this.revoke({ auditId: payload.auditIds[0] });
  }

  /**
   * Revokes every token issued until now (or `issuedBefore`) that matches all the given fields:
   * a user's tokens on a password change, a project's when it is disabled, a user's on a project
   * when a role is removed, an application credential's when it is deleted.
   */
  revoke(event: Omit<RevocationEvent, 'issuedBefore'> & { readonly issuedBefore?: Date }): Promise<void> {
    return this.#revocations.add({ ...event, issuedBefore: event.issuedBefore ?? this.#now() });
  }

  /** The keys; a change of keys (a rotation pruned one) empties the cache. */
  #currentKeys(): FernetKeySet {
    const keys = this.#keys.keys;
    if (keys.generation !== this.#cacheGeneration) {
      this.#cache.clear();
      this.#cacheGeneration = keys.generation;
    }
    return keys;
  }

  #remember(token: string, payload: TokenPayload): void {
    this.#cache.set(token, payload);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
  }
}

function decrypt(keys: FernetKeySet, token: string): TokenPayload {
  try {
    return decodeTokenPayload(fernetDecrypt(keys.decryptionKeys, token));
  } catch (error) {
    if (error instanceof InvalidFernetToken || error instanceof InvalidTokenPayload) throw new TokenNotFound(token, 'invalid');
    throw error;
  }
}

/** Both lists' methods, once each, in the order the payload decodes them. */
function unionOfMethods(own: readonly AuthMethod[], parent: readonly AuthMethod[]): AuthMethod[] {
  return AUTH_METHODS.filter((method) => own.includes(method) || parent.includes(method));
}
