/** The contract every host weigher implements, and Nova's normalisation of raw weights. */
import type { HostState } from '../host-state.js';
import type { RequestSpec } from '../request-spec.js';

export interface HostWeigher {
  /** Nova's class name, used in `weight_classes` and multiplier config. */
  readonly name: string;
  /** Nova's `[filter_scheduler] *_weight_multiplier` default. Negative inverts (e.g. stack instead of spread). */
  readonly defaultMultiplier: number;
  /** Raw weight, higher wins before the multiplier; never mutates. */
  readonly weigh: (host: Readonly<HostState>, spec: Readonly<RequestSpec>) => number;
}

/**
 * Scales `weights[0..count)` in place to 0..1 between their min and max (nova/weights.py
 * normalize); all equal → all 0. Works on a reused buffer so a decision allocates nothing per host.
 */
export function normalizeInPlace(weights: Float64Array, count: number): void {
  if (count === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const w = weights[i] ?? 0;
    if (w < min) min = w;
    if (w > max) max = w;
  }
  const range = max - min;
  for (let i = 0; i < count; i += 1) weights[i] = range === 0 ? 0 : ((weights[i] ?? 0) - min) / range;
}
