import type { AuthenticatedToken, TokenValidator } from '../../common/auth/token-validator.js';
import { NotFound, Unauthorized } from '../../common/errors/errors.js';
import type { IdentityManagers } from '../resources/index.js';
import type { TokenProvider } from '../tokens/token-provider.js';
import { authenticatedToken, buildTokenView, type TokenView } from './token-view.js';

interface CachedView {
  readonly view: TokenView;
  readonly until: number;
}

export interface LocalTokenValidatorOptions {
  /** How long a built view is reused; revocations still apply at once (checked on every call). */
  readonly viewTtlMs?: number;
  readonly maxEntries?: number;
}

/**
 * Validation without a network hop (the identity service's own tokens): the Fernet payload is
 * decrypted and checked against revocations on every call (microseconds, cached by the
 * provider), and the view — user, scope, roles from the database — is reused for a short while,
 * as keystonemiddleware caches validated tokens.
 */
export class LocalTokenValidator implements TokenValidator {
  readonly #views = new Map<string, CachedView>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(
    private readonly managers: IdentityManagers,
    private readonly tokens: TokenProvider,
    options: LocalTokenValidatorOptions = {},
  ) {
    this.#ttlMs = options.viewTtlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The token's full view; TokenNotFound (404) when it is invalid, expired or revoked. `fresh`
   * rebuilds it from the database (a role granted since the view was cached counts).
   */
  async view(token: string, { fresh = false }: { readonly fresh?: boolean } = {}): Promise<TokenView> {
    const payload = this.tokens.validate(token);
    const now = Date.now();
    const cached = this.#views.get(token);
    if (!fresh && cached !== undefined && cached.until > now) return cached.view;
    const view = await buildTokenView(this.managers, token, payload);
    if (this.#views.size >= this.#maxEntries) this.#views.delete(this.#views.keys().next().value ?? '');
    this.#views.set(token, { view, until: Math.min(now + this.#ttlMs, payload.expiresAt.getTime()) });
    return view;
  }

  /** For the auth middleware: any invalid token is a 401. */
  async validate(token: string): Promise<AuthenticatedToken> {
    try {
      return authenticatedToken(await this.view(token));
    } catch (error) {
      if (error instanceof NotFound) throw new Unauthorized('The request you have made requires authentication.');
      throw error;
    }
  }
}
