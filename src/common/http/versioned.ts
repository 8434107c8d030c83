import { NotFound } from '../errors/errors.js';
import { Microversion } from './microversion.js';

/** One row of a version table: `value` applies from `min` to `max` inclusive (no `max`: onwards). */
export interface VersionRange<T> {
  readonly min: string;
  readonly max?: string;
  readonly value: T;
}

interface Row<T> {
  readonly min: Microversion;
  readonly max: Microversion | undefined;
  readonly value: T;
}

/**
 * Behaviour or schema by microversion, as Nova's `api_version` decorators pick a method. Built
 * once at start-up, where overlaps and gaps throw; lookups are a binary search.
 */
export class VersionedTable<T> {
  private constructor(private readonly rows: readonly Row<T>[]) {}

  /** Checks the ranges (sorted by `min`, contiguous, only the last open-ended) and builds the table. */
  static from<T>(ranges: readonly VersionRange<T>[]): VersionedTable<T> {
    if (ranges.length === 0) throw new Error('A version table needs at least one range');
    const rows = ranges
      .map((range) => toRow(range))
      .sort((a, b) => a.min.compare(b.min));
    rows.forEach((row, index) => {
      const next = rows[index + 1];
      if (!next) return;
      if (!row.max) throw new Error(`Version range ${describe(row)} is open-ended but ${describe(next)} follows it`);
      if (row.max.isAtLeast(next.min)) throw new Error(`Version ranges ${describe(row)} and ${describe(next)} overlap`);
      if (!row.max.next().equals(next.min)) {
        throw new Error(`Version ranges ${describe(row)} and ${describe(next)} leave a gap`);
      }
    });
    return new VersionedTable(rows);
  }

  /** The value for `version`, or undefined when no range holds it. */
  find(version: Microversion): T | undefined {
    let low = 0;
    let high = this.rows.length - 1;
    let candidate: Row<T> | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const row = this.rows[middle];
      if (row && row.min.isAtMost(version)) {
        candidate = row;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (!candidate || (candidate.max && version.compare(candidate.max) > 0)) return undefined;
    return candidate.value;
  }

  /** The value for `version`; outside every range the method does not exist there (404, as in Nova). */
  select(version: Microversion): T {
    const value = this.find(version);
    if (value === undefined) throw new NotFound(`API version ${version.toString()} is not supported on this method.`);
    return value;
  }
}

/** `versioned([{ min: '2.1', max: '2.46', value: a }, { min: '2.47', value: b }])`. */
export function versioned<T>(ranges: readonly VersionRange<T>[]): VersionedTable<T> {
  return VersionedTable.from(ranges);
}

function toRow<T>(range: VersionRange<T>): Row<T> {
  const min = Microversion.of(range.min);
  const max = range.max === undefined ? undefined : Microversion.of(range.max);
  if (max && max.compare(min) < 0) throw new Error(`Version range ${range.min}-${range.max} ends before it starts`);
  return { min, max, value: range.value };
}

function describe(row: Row<unknown>): string {
  return `${row.min.toString()}-${row.max?.toString() ?? ''}`;
}
