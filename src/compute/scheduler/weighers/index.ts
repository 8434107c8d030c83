/** The explicit weigher registry: Nova's weigher class names → implementations. */
import { cpuWeigher } from './cpu-weigher.js';
import { diskWeigher } from './disk-weigher.js';
import { ramWeigher } from './ram-weigher.js';
import { serverGroupSoftAffinityWeigher } from './server-group-soft-affinity-weigher.js';
import { serverGroupSoftAntiAffinityWeigher } from './server-group-soft-anti-affinity-weigher.js';
import type { HostWeigher } from './weigher.js';

export type { HostWeigher } from './weigher.js';

export const WEIGHERS: ReadonlyMap<string, HostWeigher> = new Map(
  [ramWeigher, cpuWeigher, diskWeigher, serverGroupSoftAffinityWeigher, serverGroupSoftAntiAffinityWeigher].map((weigher) => [
    weigher.name,
    weigher,
  ]),
);

/** Nova's default weight_classes is every weigher. */
export const DEFAULT_ENABLED_WEIGHERS: readonly string[] = [...WEIGHERS.keys()];

export interface ConfiguredWeigher {
  readonly weigher: HostWeigher;
  readonly multiplier: number;
}

/** Resolves configured names with their multipliers; unknown names throw at start. */
export function resolveWeighers(names: readonly string[], multipliers: Readonly<Record<string, number>> = {}): ConfiguredWeigher[] {
  for (const name of Object.keys(multipliers)) {
    if (!WEIGHERS.has(name)) throw new Error(`Unknown scheduler weigher '${name}' in weight multipliers`);
  }
  return names.map((name) => {
    const weigher = WEIGHERS.get(name);
    if (!weigher) throw new Error(`Unknown scheduler weigher '${name}'; known: ${[...WEIGHERS.keys()].join(', ')}`);
    return { weigher, multiplier: multipliers[name] ?? weigher.defaultMultiplier };
  });
}
