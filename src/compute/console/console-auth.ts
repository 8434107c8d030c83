/**
 * Console auth tokens (Nova's ConsoleAuthToken and the consoleauth role it absorbed): a console
 * URL carries a random token; only its SHA-256 is stored, with the guest's console address and
 * an expiry `[consoleauth] token_ttl` seconds on. The console proxy takes a token once; the
 * admin's os-console-auth-tokens look-up leaves it in place.
 */
import { createHash, randomUUID } from 'node:crypto';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ConsoleAuthTokenRow, ConsoleTokenStore } from '../db/console-token-store.js';
import type { VncConsoleAddress } from '../virt/console.js';

/** The console types a token may be for (Nova's novnc only: no xvpvnc, spice, rdp, serial or mks here). */
export type ConsoleType = 'novnc';

export interface ConsoleAuthOptions {
  readonly tokenTtlSeconds: number;
  /** `[vnc] novncproxy_base_url`, resolved per call (the listener's URL is known only once it listens). */
  readonly novncBaseUrl: () => string;
  readonly now?: () => Date;
}

/** A handed-out console: the URL the user opens (token inside) and the token's expiry. */
export interface AuthorizedConsole {
  readonly url: string;
  readonly expires: Date;
}

export function hashConsoleToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Nova's access_url for novnc: noVNC (from 1.1) takes the token inside its `path` parameter. */
export function novncAccessUrl(base: string, token: string): string {
  return `${base}?${new URLSearchParams({ path: `?token=${token}` }).toString()}`;
}

export class ConsoleAuth {
  readonly #store: ConsoleTokenStore;
  readonly #options: ConsoleAuthOptions;
  readonly #now: () => Date;

  constructor(store: ConsoleTokenStore, options: ConsoleAuthOptions) {
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Stores a new token for the guest's console and returns its URL (Nova's ConsoleAuthToken.authorize). */
  async authorize(instanceUuid: string, consoleType: ConsoleType, address: VncConsoleAddress): Promise<AuthorizedConsole> {
    const now = this.#now();
    // Expired tokens go as new ones come (Nova's compute periodic clean-up), so the table stays small.
    await this.#store.deleteExpired(now);
    const token = randomUUID();
    const expires = new Date(now.getTime() + this.#options.tokenTtlSeconds * 1000);
    const base = this.#options.novncBaseUrl();
    await this.#store.insert({
      token_hash: hashConsoleToken(token),
      console_type: consoleType,
      host: address.host,
      port: null,
      internal_access_path: address.socketPath,
      instance_uuid: instanceUuid,
      access_url_base: base,
      created_at: toDbTimestamp(now),
      expires: toDbTimestamp(expires),
    });
    return { url: novncAccessUrl(base, token), expires };
  }

  /** The console proxy's check: the token's console, once; a wrong, used or expired token has none. */
  consume(token: string): Promise<ConsoleAuthTokenRow | undefined> {
    return this.#store.consume(hashConsoleToken(token), this.#now());
  }

  /** The admin's look-up (GET /os-console-auth-tokens/{token}): the console, the token left as it was. */
  show(token: string): Promise<ConsoleAuthTokenRow | undefined> {
    return this.#store.findValid(hashConsoleToken(token), this.#now());
  }
}
