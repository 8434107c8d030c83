/** Nova's grammar: no leading zeros, minor may be 0 (`2.1`, `2.93`, `3.0`). */
const MICROVERSION = /^([1-9]\d*)\.([1-9]\d*|0)$/;

/**
 * Literals already parsed: `isAtLeast('2.47')` runs per request and per row, and the code holds a
 * few hundred literals at most (the bound keeps any other text from growing it).
 */
const LITERALS = new Map<string, Microversion>();
const LITERALS_KEPT = 1000;

/** A version given as a value or as its text (`'2.47'`); text is for literals in code. */
export type MicroversionLike = Microversion | string;

/**
 * An API microversion `major.minor`, compared numerically (2.10 > 2.9). Handlers ask
 * `request.microversion.isAtLeast('2.47')` rather than comparing strings.
 */
export class Microversion {
  private constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  /** The version `text` names, or undefined when it is not `X.Y`. */
  static parse(text: string): Microversion | undefined {
    const match = MICROVERSION.exec(text.trim());
    if (!match) return undefined;
    return new Microversion(Number(match[1]), Number(match[2]));
  }

  /** The version a literal in code names; a malformed literal is a programming error. */
  static of(version: MicroversionLike): Microversion {
    if (version instanceof Microversion) return version;
    const known = LITERALS.get(version);
    if (known !== undefined) return known;
    const parsed = Microversion.parse(version);
    if (!parsed) throw new Error(`Malformed microversion literal: '${version}'`);
    if (LITERALS.size < LITERALS_KEPT) LITERALS.set(version, parsed);
    return parsed;
  }

  /** Negative, zero or positive as this version is below, equal to or above `other`. */
  compare(other: MicroversionLike): number {
    const that = Microversion.of(other);
    return this.major === that.major ? this.minor - that.minor : this.major - that.major;
  }

  equals(other: MicroversionLike): boolean {
    return this.compare(other) === 0;
  }

  isAtLeast(other: MicroversionLike): boolean {
    return this.compare(other) >= 0;
  }

  isAtMost(other: MicroversionLike): boolean {
    return this.compare(other) <= 0;
  }

  /** True when `min <= this <= max`; an absent `max` is open-ended. */
  isWithin(min: MicroversionLike, max?: MicroversionLike): boolean {
    return this.isAtLeast(min) && (max === undefined || this.isAtMost(max));
  }

  /** The version right after this one in the same major (`2.46` → `2.47`). */
  next(): Microversion {
    return new Microversion(this.major, this.minor + 1);
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}
