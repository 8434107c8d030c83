/**
 * The two hot loops of a decision — filter, then weigh into a short top list — over reusable
 * typed-array scratch space, so a decision over 10,000 hosts allocates nothing per host on the
 * passing path. Hosts are addressed by their index in the cache's dense list, which cannot change
 * during a (synchronous) decision.
 */
import type { HostFilter } from './filters/index.js';
import type { HostState } from './host-state.js';
import type { RequestSpec } from './request-spec.js';
import type { ConfiguredWeigher } from './weighers/index.js';
import { normalizeInPlace } from '../../common/scheduling/normalize-weights.js';

/** Views of hosts picked earlier in the same request, with that request's consumption applied. */
export type Overlay = ReadonlyMap<Readonly<HostState>, Readonly<HostState>>;

export interface FilterPass {
  /** Hosts left after each filter, in run order; the first entry is the candidate count. */
  readonly remaining: readonly number[];
  /** One example rejection reason per filter, for the logs. */
  readonly examples: readonly (string | undefined)[];
}

export class HostRanker {
  readonly filters: readonly HostFilter[];
  readonly weighers: readonly ConfiguredWeigher[];
  /** Candidate host indexes; filtering compacts it in place. */
  #candidates = new Int32Array(0);
  #count = 0;
  /** The best hosts, best first, after `rank`. */
  readonly topIndexes: number[] = [];
  readonly topWeights: number[] = [];
  #raw = new Float64Array(0);
  #total = new Float64Array(0);
  readonly #rejected: Int32Array;

  /** Candidates left after the last `filter`. */
  get count(): number {
    return this.#count;
  }

  constructor(filters: readonly HostFilter[], weighers: readonly ConfiguredWeigher[]) {
    this.filters = filters;
    this.weighers = weighers.filter((w) => w.multiplier !== 0);
    this.#rejected = new Int32Array(filters.length);
  }

  /** Starts a decision with every host (or just `only`) as a candidate. */
  reset(hostCount: number, only?: number): void {
    if (this.#candidates.length < hostCount) {
      this.#candidates = new Int32Array(hostCount);
      this.#raw = new Float64Array(hostCount);
      this.#total = new Float64Array(hostCount);
    }
    if (only !== undefined) {
      this.#count = only >= 0 ? 1 : 0;
      this.#candidates[0] = only;
      return;
    }
    for (let i = 0; i < hostCount; i += 1) this.#candidates[i] = i;
    this.#count = hostCount;
  }

  /** Drops the named hosts from the candidates before any filter runs (Nova's ignore_hosts). */
  exclude(hosts: readonly HostState[], names: ReadonlySet<string>): void {
    this.retain(hosts, (host) => !names.has(host.host));
  }

  /** Keeps only the candidates `keep` accepts, before any filter runs. */
  retain(hosts: readonly HostState[], keep: (host: Readonly<HostState>) => boolean): void {
    const candidates = this.#candidates;
    let kept = 0;
    for (let k = 0; k < this.#count; k += 1) {
      const index = candidates[k] ?? 0;
      const host = hosts[index];
      if (host !== undefined && keep(host)) candidates[kept++] = index;
    }
    this.#count = kept;
  }

  /**
   * Keeps the candidates every filter passes, stopping at a host's first rejection. With
   * `skipOncePerRequest`, filters whose answer cannot have changed since the request's first
   * instance are skipped: the candidates already passed them.
   */
  filter(hosts: readonly HostState[], spec: Readonly<RequestSpec>, overlay: Overlay, skipOncePerRequest: boolean): FilterPass {
    const filters = this.filters;
    const candidates = this.#candidates;
    const rejected = this.#rejected;
    rejected.fill(0);
    const examples: (string | undefined)[] = new Array<string | undefined>(filters.length).fill(undefined);
    const start = this.#count;
    let kept = 0;
    for (let k = 0; k < start; k += 1) {
      const index = candidates[k] ?? 0;
      const base = hosts[index];
      if (!base) continue;
      const host = overlay.size === 0 ? base : (overlay.get(base) ?? base);
      let passed = true;
      for (let f = 0; f < filters.length; f += 1) {
        const filter = filters[f];
        if (!filter || (skipOncePerRequest && filter.runOncePerRequest)) continue;
        const result = filter.hostPasses(host, spec);
        if (!result.pass) {
          rejected[f] = (rejected[f] ?? 0) + 1;
          examples[f] ??= result.reason;
          passed = false;
          break;
        }
      }
      if (passed) candidates[kept++] = index;
    }
    this.#count = kept;
    const remaining = [start];
    let left = start;
    for (let f = 0; f < filters.length; f += 1) {
      left -= rejected[f] ?? 0;
      remaining.push(left);
    }
    return { remaining, examples };
  }

  /**
   * Weighs the candidates (each weigher normalised to 0..1, times its multiplier, summed) and
   * keeps the best `keep` in `topIndexes`, ties going to the earlier host as Nova's stable sort does.
   */
  rank(hosts: readonly HostState[], spec: Readonly<RequestSpec>, overlay: Overlay, keep: number): void {
    const candidates = this.#candidates;
    const count = this.#count;
    const raw = this.#raw;
    const total = this.#total;
    total.fill(0, 0, count);
    // A single candidate needs no weighing (Nova skips it too).
    for (const { weigher, multiplier } of count > 1 ? this.weighers : []) {
      for (let k = 0; k < count; k += 1) {
        const base = hosts[candidates[k] ?? 0];
        if (!base) continue;
        raw[k] = weigher.weigh(overlay.size === 0 ? base : (overlay.get(base) ?? base), spec);
      }
      normalizeInPlace(raw, count);
      for (let k = 0; k < count; k += 1) total[k] = (total[k] ?? 0) + multiplier * (raw[k] ?? 0);
    }
    const top = this.topIndexes;
    const weights = this.topWeights;
    top.length = 0;
    weights.length = 0;
    for (let k = 0; k < count; k += 1) {
      const weight = total[k] ?? 0;
      if (top.length === keep && weight <= (weights[keep - 1] ?? -Infinity)) continue;
      let at = top.length;
      while (at > 0 && (weights[at - 1] ?? 0) < weight) at -= 1;
      top.splice(at, 0, candidates[k] ?? 0);
      weights.splice(at, 0, weight);
      if (top.length > keep) {
        top.pop();
        weights.pop();
      }
    }
  }
}
