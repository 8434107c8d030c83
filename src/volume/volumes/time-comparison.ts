/**
 * Cinder's time comparison filters on volume lists (`created_at=gt:2026-01-01T00:00:00,lt:…`,
 * cinder/api/v3/volumes.py _handle_time_comparison_filters and the database's
 * _filter_time_comparison): comma-separated `<operator>:<ISO 8601 time>` units, a later unit
 * replacing an earlier one of the same operator, and a volume matches when ANY unit holds (Cinder
 * ORs them). A time that is null (a volume never updated) matches nothing.
 */
import { BadRequest } from '../../common/errors/errors.js';

const OPERATORS = ['gt', 'gte', 'eq', 'neq', 'lt', 'lte'] as const;
type Operator = (typeof OPERATORS)[number];
const isOperator = (text: string): text is Operator => (OPERATORS as readonly string[]).includes(text);

const COMPARE: Readonly<Record<Operator, (value: number, bound: number) => boolean>> = {
  gt: (value, bound) => value > bound,
  gte: (value, bound) => value >= bound,
  eq: (value, bound) => value === bound,
  neq: (value, bound) => value !== bound,
  lt: (value, bound) => value < bound,
  lte: (value, bound) => value <= bound,
};

/** The forms iso8601.parse_date (oslo's parse_isotime) reads: date, optional time, optional zone. */
const ISO_TIME = /^(\d{4})-?(\d{1,2})-?(\d{1,2})(?:[ T](\d{2})(?::?(\d{2}))?(?::?(\d{1,2})(?:[.,](\d+))?)?(Z|([-+])(\d{2}):?(\d{2})?)?)?$/;

/** oslo's parse_isotime: an ISO 8601 time, UTC when it names no zone; undefined when it is none. */
export function parseIsoTime(text: string): Date | undefined {
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone, sign, zoneHours = '0', zoneMinutes = '0'] = match;
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const utc = new Date(Date.UTC(...fields, Number(fraction.padEnd(3, '0').slice(0, 3))));
  // Date.UTC rolls over (Feb 30 is Mar 2): a field out of its range is a bad time, as Python's datetime says.
  const back = [utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds()];
  if (back.some((value, index) => value !== fields[index])) return undefined;
  const offsetMinutes = zone === undefined || zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes));
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

/** A parsed filter: whether a time passes it. */
export type TimeComparison = (value: Date | null) => boolean;

/** Parses one filter's value; a unit with an unknown operator or an unreadable time is Cinder's 400. */
export function parseTimeComparison(text: string): TimeComparison {
  const bounds = new Map<Operator, number>();
  for (const unit of text.split(',')) {
    const parts = unit.split(':');
    const operator = parts[0] ?? '';
    // Cinder takes what follows the first colon as the time, or the unit itself when it has none.
    const time = parts.length > 1 ? parts.slice(1).join(':') : operator;
    if (!isOperator(operator)) throw new BadRequest(`Invalid ${operator} operator`);
    const parsed = parseIsoTime(time);
    if (parsed === undefined) throw new BadRequest(`Invalid ${time} value`);
    bounds.set(operator, parsed.getTime());
  }
  return (value) => value !== null && [...bounds].some(([operator, bound]) => COMPARE[operator](value.getTime(), bound));
}
