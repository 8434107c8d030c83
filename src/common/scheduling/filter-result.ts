/** A scheduler filter's answer for one candidate (a compute host or a volume backend). */
export type FilterResult = { readonly pass: true } | { readonly pass: false; readonly reason: string };

/** Shared so the common, passing case allocates nothing. */
export const PASS: FilterResult = Object.freeze({ pass: true });

export function reject(reason: string): FilterResult {
  return { pass: false, reason };
}

/** Null-or-reason checks (see compute's scheduler/resources.ts) as a filter result. */
export function resultOf(reason: string | null): FilterResult {
  return reason === null ? PASS : reject(reason);
}
