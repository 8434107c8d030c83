/**
 * Claims: the commit point after the optimistic selection. `claim` checks that the resources
 * still fit under the host's allocation ratios and records them in the same synchronous step —
 * nothing can interleave between check and commit in Node's single thread, so however many boots
 * race for a host, it is never overcommitted. A refused claim sends the caller to the next
 * alternate (`claimFirst`).
 *
 * Release is idempotent: the first `release` of a claim returns true and frees its resources,
 * any later one returns false and changes nothing. Rollback paths can therefore release without
 * first proving they own the claim, and a stale handle never frees a newer claim under the same key.
 */
import { claimKey, type HostClaim, type HostStateCache } from './host-state.js';
import { checkFits, type Resources } from './resources.js';
import type { Destination } from './select-destinations.js';

export type Claim = HostClaim;

/** Who consumes the resources: an instance, or a migration of it (resize keeps both claims). */
export interface ClaimConsumer {
  readonly instanceUuid: string;
  /** For resize/migration: the destination claim is keyed by migration, so a same-host resize
   * can hold the old flavor's claim (by instance) and the new one's (by migration) at once. */
  readonly migrationId?: string;
}

export type ClaimResult = { readonly claimed: true; readonly claim: Claim } | { readonly claimed: false; readonly reason: string };

let nextClaimId = 1;

export function claim(cache: HostStateCache, host: string, consumer: ClaimConsumer, resources: Resources): ClaimResult {
  const state = cache.get(host);
  if (!state) return { claimed: false, reason: `Compute host ${host} could not be found.` };
  const key = claimKey(consumer);
  if (cache.hasClaim(host, key)) {
    return { claimed: false, reason: `Host ${host} already holds a claim for ${key}` };
  }
  const reason = checkFits(state, resources);
  if (reason !== null) return { claimed: false, reason };
  const record: Claim = {
    id: nextClaimId++,
    host,
    instanceUuid: consumer.instanceUuid,
    ...(consumer.migrationId === undefined ? {} : { migrationId: consumer.migrationId }),
    resources,
  };
  cache.applyClaim(record);
  return { claimed: true, claim: record };
}

/** Frees the claim's resources; true the first time, false (a no-op) afterwards. */
export function release(cache: HostStateCache, held: Claim): boolean {
  return cache.releaseClaim(held);
}

/**
 * Hands a held claim's resources to another consumer on the same host, without a fit check (they
 * are counted already): a confirmed resize's destination claim, keyed by its migration, becomes
 * the instance's. Null when `held` is no longer held.
 */
export function transferClaim(cache: HostStateCache, held: Claim, consumer: ClaimConsumer): Claim | null {
  if (!cache.releaseClaim(held)) return null;
  const record: Claim = {
    id: nextClaimId++,
    host: held.host,
    instanceUuid: consumer.instanceUuid,
    ...(consumer.migrationId === undefined ? {} : { migrationId: consumer.migrationId }),
    resources: held.resources,
  };
  cache.applyClaim(record);
  return record;
}

export interface ClaimAttempt {
  readonly claim: Claim | undefined;
  /** Why each refused destination was refused, in the order tried. */
  readonly refusals: readonly { readonly host: string; readonly reason: string }[];
}

/** Claims the first destination that still has room: the selected host, then its alternates. */
export function claimFirst(
  cache: HostStateCache,
  destinations: readonly Destination[],
  consumer: ClaimConsumer,
  resources: Resources,
): ClaimAttempt {
  const refusals: { host: string; reason: string }[] = [];
  for (const destination of destinations) {
    const result = claim(cache, destination.host, consumer, resources);
    if (result.claimed) return { claim: result.claim, refusals };
    refusals.push({ host: destination.host, reason: result.reason });
  }
  return { claim: undefined, refusals };
}
