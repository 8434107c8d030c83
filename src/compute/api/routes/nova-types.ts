import { Type, type TSchema } from '@sinclair/typebox';

/** Nova's `[api] max_limit`-bounded paging and other list parameters may repeat; the last one counts. */
export const MultiParam = <T extends TSchema>(item: T) => Type.Optional(Type.Array(item));

export function last<T>(values: readonly T[] | undefined): T | undefined {
  return values === undefined ? undefined : values[values.length - 1];
}

const MAX_INT = 2147483647;

/** parameter_types.flavor_param_positive / _non_negative: an int, or a string of digits. */
export function flavorInteger(minimum: number) {
  return Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]+$', minimum, maximum: MAX_INT });
}

/** parameter_types.boolean: JSON booleans and oslo's boolean words. */
export const NovaBoolean = Type.Unsafe<boolean | string>({
  type: ['boolean', 'string'],
  enum: [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'],
});

const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

/** oslo's bool_from_string(strict=True): undefined when the text is no boolean word. */
export function boolFromString(value: boolean | string): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Python's int() of a query value: undefined when it is not a whole number. */
export function parseInteger(value: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** parameter_types.name: 1–255 characters, no leading or trailing whitespace. */
export const NovaName = Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S(?:[\\s\\S]*\\S)?$' });

/** parameter_types.description: up to 255 printable characters, or null. */
export const NovaDescription = Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: '^[^\\p{C}]*$' });
