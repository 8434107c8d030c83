/**
 * One placement decision (Cinder's FilterScheduler._schedule): the live backends, narrowed to the
 * one a source pins, through every filter, weighed (each weigher normalised to 0..1 as Nova and
 * Cinder do, times its multiplier); the best wins, ties to the first reported.
 */
import { normalizeInPlace } from '../../common/scheduling/normalize-weights.js';
import type { BackendState } from './backend-state.js';
import type { BackendFilter } from './filters/index.js';
import type { VolumeRequestSpec } from './request-spec.js';
import type { ConfiguredWeigher } from './weighers/index.js';

/** Cinder's NoValidBackend: the reasons travel for the volume's error message and the log. */
export class NoValidBackend extends Error {
  constructor(reason: string) {
    super(`No valid backend was found. ${reason}`);
    this.name = 'NoValidBackend';
  }
}

export function selectBackend(
  backends: readonly BackendState[],
  spec: Readonly<VolumeRequestSpec>,
  filters: readonly BackendFilter[],
  weighers: readonly ConfiguredWeigher[],
): BackendState {
  let candidates = spec.onlyBackend === undefined ? [...backends] : backends.filter((backend) => backend.name === spec.onlyBackend);
  if (candidates.length === 0) throw new NoValidBackend(spec.onlyBackend === undefined ? 'No volume backend is up.' : `Backend ${spec.onlyBackend} is not up.`);
  const reasons: string[] = [];
  for (const filter of filters) {
    candidates = candidates.filter((backend) => {
      const result = filter.backendPasses(backend, spec);
      if (!result.pass) reasons.push(`${filter.name}: ${backend.name} ${result.reason}`);
      return result.pass;
    });
    if (candidates.length === 0) throw new NoValidBackend(`Filter ${filter.name} returned 0 backends (${reasons.join('; ')}).`);
  }
  const totals = new Float64Array(candidates.length);
  const raw = new Float64Array(candidates.length);
  for (const { weigher, multiplier } of weighers) {
    candidates.forEach((backend, index) => {
      raw[index] = weigher.weigh(backend);
    });
    normalizeInPlace(raw, candidates.length);
    for (let index = 0; index < candidates.length; index += 1) totals[index] = (totals[index] ?? 0) + multiplier * (raw[index] ?? 0);
  }
  let best = 0;
  for (let index = 1; index < candidates.length; index += 1) if ((totals[index] ?? 0) > (totals[best] ?? 0)) best = index;
  const chosen = candidates[best];
  if (chosen === undefined) throw new NoValidBackend('No volume backend is up.');
  return chosen;
}
