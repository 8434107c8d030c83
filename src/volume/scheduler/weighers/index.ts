/** The explicit weigher registry: Cinder's weigher class names → implementations. */
import { capacityWeigher, type BackendWeigher } from './capacity-weigher.js';

export type { BackendWeigher } from './capacity-weigher.js';

export const WEIGHERS: ReadonlyMap<string, BackendWeigher> = new Map([[capacityWeigher.name, capacityWeigher]]);

/** Cinder's `scheduler_default_weighers`. */
export const DEFAULT_WEIGHERS: readonly string[] = ['CapacityWeigher'];

export interface ConfiguredWeigher {
  readonly weigher: BackendWeigher;
  readonly multiplier: number;
}

export function resolveWeighers(names: readonly string[]): ConfiguredWeigher[] {
  return names.map((name) => {
    const weigher = WEIGHERS.get(name);
    if (!weigher) throw new Error(`Unknown volume scheduler weigher '${name}'; known: ${[...WEIGHERS.keys()].join(', ')}`);
    return { weigher, multiplier: weigher.defaultMultiplier };
  });
}
