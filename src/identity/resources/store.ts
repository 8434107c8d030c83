import { randomUUID } from 'node:crypto';
import type { IdentityStores } from '../db/identity-stores.js';
import type { IdentityEvents } from './events.js';

/** What every identity manager shares: identity's store (db/), the change listener and the clock. */
export interface ResourceDeps {
  readonly tables: IdentityStores;
  readonly events: IdentityEvents;
  readonly now: () => Date;
}

/** Keystone's ids: a uuid4 as 32 hex digits, without dashes. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Client fields an entity's schema does not name, stored as JSON text and returned as sent. */
export type Extra = Readonly<Record<string, unknown>>;

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? {});
}

/** A JSON object column read back (anything else stored there reads as empty). */
export function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A JSON array-of-strings column read back. */
export function parseStrings(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Keystone's `extra` merge on update: the keys sent replace the stored ones, the rest stay. */
export function mergeExtra(current: Extra, patch: Extra | undefined): Record<string, unknown> {
  return { ...current, ...patch };
}

/** Keystone's PATCH of what most entities share: a description (null clears it) and extra (merged). */
export function patchedDescription(
  current: { readonly description: string | null; readonly extra: Extra },
  patch: { readonly description?: string | null; readonly extra?: Extra },
): { description: string | null; extra: string } {
  return {
    description: patch.description === undefined ? current.description : patch.description,
    extra: toJson(mergeExtra(current.extra, patch.extra)),
  };
}

/** Keystone's PATCH of `enabled` and `tags` (domains and projects). */
export function patchedEnabledAndTags(
  current: { readonly enabled: boolean; readonly tags: readonly string[] },
  patch: { readonly enabled?: boolean; readonly tags?: readonly string[] },
): { enabled: boolean; tags: string } {
  return { enabled: patch.enabled ?? current.enabled, tags: toJson(patch.tags ?? current.tags) };
}

/** Keystone's 409 for a write that clashed with a stored entity: `kind` is Keystone's word for it. */
export function conflictStoring(kind: string, details: string): () => string {
  return () => `Conflict occurred attempting to store ${kind} - ${details}.`;
}

/** Keystone's 409 for a name already taken, within a domain when `domainId` is given. */
export function duplicateName(kind: string, name: string, domainId: string | null): () => string {
  return conflictStoring(kind, `Duplicate entry found with name ${name}${domainId === null ? '' : ` at domain ID ${domainId}`}`);
}

/** Keystone's ValidationError: a 400 naming what the request lacked. */
export function expectingToFind(attribute: string, target: string): string {
  return `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`;
}
