import { lastAddress, type Cidr } from './ip-address.js';

/** Addresses first..last of one IP version, inclusive. */
interface Span {
  readonly first: bigint;
  readonly last: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * A set of addresses of one IP version, as netaddr's IPSet serves Neutron's subnet pools: the
 * pool's prefixes merged, less the subnets allocated from it, read back as the fewest cidrs.
 */
export class PrefixSet {
  /** Sorted, disjoint and not adjacent. */
  readonly #spans: readonly Span[];

  private constructor(
    readonly version: 4 | 6,
    spans: readonly Span[],
  ) {
    this.#spans = spans;
  }

  static of(version: 4 | 6, cidrs: readonly Cidr[]): PrefixSet {
    const sorted = cidrs.filter((cidr) => cidr.version === version).map((cidr) => ({ first: cidr.network, last: lastAddress(cidr) })).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const merged: Span[] = [];
    for (const span of sorted) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && span.first <= previous.last + 1n) {
        merged[merged.length - 1] = { first: previous.first, last: span.last > previous.last ? span.last : previous.last };
      } else {
        merged.push(span);
      }
    }
    return new PrefixSet(version, merged);
  }

  /** The addresses of this set that are not in `other`. */
  minus(other: PrefixSet): PrefixSet {
    let remaining = [...this.#spans];
    for (const cut of other.#spans) {
      remaining = remaining.flatMap((span) => {
        if (cut.last < span.first || cut.first > span.last) return [span];
        return [
          ...(cut.first > span.first ? [{ first: span.first, last: cut.first - 1n }] : []),
          ...(cut.last < span.last ? [{ first: cut.last + 1n, last: span.last }] : []),
        ];
      });
    }
    return new PrefixSet(this.version, remaining);
  }

  /** True when every address of the cidr is in the set. */
  covers(cidr: Cidr): boolean {
    const last = lastAddress(cidr);
    return cidr.version === this.version && this.#spans.some((span) => span.first <= cidr.network && last <= span.last);
  }

  /** True when every address of `other` is in this set. */
  includes(other: PrefixSet): boolean {
    return other.#spans.every((inner) => this.#spans.some((span) => span.first <= inner.first && inner.last <= span.last));
  }

  /** The fewest cidrs that make up the set, in address order (netaddr's iter_cidrs). */
  cidrs(): Cidr[] {
    const bits = BITS[this.version];
    const result: Cidr[] = [];
    for (const span of this.#spans) {
      let first = span.first;
      while (first <= span.last) {
        // The largest block aligned at `first` that stays inside the span.
        let size = 0;
        while (size < bits && first % (1n << BigInt(size + 1)) === 0n && first + (1n << BigInt(size + 1)) - 1n <= span.last) size += 1;
        result.push({ version: this.version, network: first, prefixLength: bits - size });
        first += 1n << BigInt(size);
      }
    }
    return result;
  }
}
