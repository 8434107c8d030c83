import { getLogger } from '../../common/logging/logger.js';
import type { TokenPayload } from './token-payload.js';

const log = getLogger('nimbus.identity.tokens');

/**
 * Keystone's revocation event: every token issued at or before `issuedBefore` whose fields match
 * all the fields the event sets is revoked. Fernet tokens are never stored, so this list is how
 * a token dies before it expires (logout, password change, disabled user, removed role).
 */
export interface RevocationEvent {
  /** Matches either of a token's audit ids: the token itself, or every token rescoped from it. */
  readonly auditId?: string;
  readonly userId?: string;
  /** Matches project-scoped tokens on this project. */
  readonly projectId?: string;
  /** Matches domain-scoped tokens on this domain. */
  readonly domainId?: string;
  /** Matches tokens issued for this application credential. */
  readonly applicationCredentialId?: string;
  /** Matches tokens scoped to this trust. */
  readonly trustId?: string;
  readonly issuedBefore: Date;
}

/** Where events are kept so that every API process sees them (the database in production). */
export interface RevocationStore {
  add(event: RevocationEvent): Promise<void>;
  /** Events with `issuedBefore` at or after `since` (all of them when omitted). */
  list(since?: Date): Promise<RevocationEvent[]>;
  /** Deletes the events with `issuedBefore` earlier than `before`: they can only match expired tokens. */
  prune(before: Date): Promise<void>;
}

/** True when `event` revokes the token whose payload this is. */
export function revokes(event: RevocationEvent, token: TokenPayload): boolean {
  if (token.issuedAt.getTime() > event.issuedBefore.getTime()) return false;
  if (event.auditId !== undefined && !token.auditIds.includes(event.auditId)) return false;
  if (event.userId !== undefined && event.userId !== token.userId) return false;
  if (event.projectId !== undefined && (token.scope.kind !== 'project' || token.scope.projectId !== event.projectId)) {
    return false;
  }
  if (event.domainId !== undefined && (token.scope.kind !== 'domain' || token.scope.domainId !== event.domainId)) {
    return false;
  }
  if (event.applicationCredentialId !== undefined && event.applicationCredentialId !== token.applicationCredentialId) return false;
  if (event.trustId !== undefined && event.trustId !== token.trustId) return false;
  return true;
}

export interface RevocationListOptions {
  /** The longest a token can live: older events are pruned (they could only match expired tokens). */
  readonly maxTokenLifetimeSeconds: number;
  /** How often the list is re-read from the store, to see other processes' events (default 2 s). */
  readonly refreshIntervalMs?: number;
  readonly now?: () => Date;
}

/**
 * The revocation events in memory, indexed so that checking a token costs a few map lookups
 * whatever the number of events. Events added here are visible at once; events added by other
 * processes appear at the next refresh. Events are never withdrawn, so a refresh only adds.
 */
export class RevocationList {
  readonly #store: RevocationStore;
  readonly #lifetimeMs: number;
  readonly #refreshIntervalMs: number;
  readonly #now: () => Date;
  /**
   * Each event under one key of the fields it sets (audit id, else user, project, domain,
   * application credential, trust, else ''), then by its full identity, so that re-reading an event does not add it twice.
   */
  readonly #index = new Map<string, Map<string, RevocationEvent>>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #failing = false;

  constructor(store: RevocationStore, options: RevocationListOptions) {
    this.#store = store;
    this.#lifetimeMs = options.maxTokenLifetimeSeconds * 1000;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 2000;
    this.#now = options.now ?? (() => new Date());
  }

  /** Loads the current events and starts refreshing them on a timer that does not hold the process open. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#refreshing ??= this.#refreshLogged().finally(() => {
        this.#refreshing = undefined;
      });
    }, this.#refreshIntervalMs);
    this.#timer.unref();
  }

  /** Stops refreshing; resolves once a refresh in flight has finished. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#refreshing;
  }

  /** Records the event in the store, and here at once; prunes events too old to matter. */
  async add(event: RevocationEvent): Promise<void> {
    await this.#store.add(event);
    this.#insert(event);
    await this.#store.prune(this.#cutoff());
  }

  /** Re-reads the store's events (the timer calls this; tests and tools may too). */
  async refresh(): Promise<void> {
    const cutoff = this.#cutoff();
    const events = await this.#store.list(cutoff);
    this.#pruneMemory(cutoff);
    for (const event of events) this.#insert(event);
  }

  /** True when any event revokes the token. */
  isRevoked(token: TokenPayload): boolean {
    const candidates = [
      ...token.auditIds.map((auditId) => `a:${auditId}`),
      `u:${token.userId}`,
      token.scope.kind === 'project' ? `p:${token.scope.projectId}` : undefined,
      token.scope.kind === 'domain' ? `d:${token.scope.domainId}` : undefined,
      token.applicationCredentialId === undefined ? undefined : `c:${token.applicationCredentialId}`,
      token.trustId === undefined ? undefined : `t:${token.trustId}`,
      '',
    ];
    for (const key of candidates) {
      if (key === undefined) continue;
      const bucket = this.#index.get(key);
      if (bucket === undefined) continue;
      for (const event of bucket.values()) if (revokes(event, token)) return true;
    }
    return false;
  }

  /** Oldest `issuedBefore` still worth keeping: a token issued earlier has expired. */
  #cutoff(): Date {
    return new Date(this.#now().getTime() - this.#lifetimeMs);
  }

  #insert(event: RevocationEvent): void {
    const key = indexKey(event);
    let bucket = this.#index.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.#index.set(key, bucket);
    }
    const identity = JSON.stringify([
      event.auditId,
      event.userId,
      event.projectId,
      event.domainId,
      event.applicationCredentialId,
      event.trustId,
      event.issuedBefore.getTime(),
    ]);
    bucket.set(identity, event);
  }

  #pruneMemory(cutoff: Date): void {
    for (const [key, bucket] of this.#index) {
      for (const [identity, event] of bucket) {
        if (event.issuedBefore.getTime() < cutoff.getTime()) bucket.delete(identity);
      }
      if (bucket.size === 0) this.#index.delete(key);
    }
  }

  async #refreshLogged(): Promise<void> {
    try {
      await this.refresh();
      if (this.#failing) log.info('Token revocation events are being read again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        const reason = error instanceof Error ? error.message : String(error);
        log.warning(`Cannot read token revocation events (retrying every ${this.#refreshIntervalMs} ms): ${reason}`);
      }
      this.#failing = true;
    }
  }
}

function indexKey(event: RevocationEvent): string {
  if (event.auditId !== undefined) return `a:${event.auditId}`;
  if (event.userId !== undefined) return `u:${event.userId}`;
  if (event.projectId !== undefined) return `p:${event.projectId}`;
  if (event.domainId !== undefined) return `d:${event.domainId}`;
  if (event.applicationCredentialId !== undefined) return `c:${event.applicationCredentialId}`;
  if (event.trustId !== undefined) return `t:${event.trustId}`;
  return '';
}
