/** The contract every host weigher implements. */
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
