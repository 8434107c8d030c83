import { Type, type ObjectOptions, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { Microversion } from '../../../common/http/microversion.js';
import { versioned } from '../../../common/http/versioned.js';
import { queryValidator } from '../../../common/http/validation.js';

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

/** parameter_types.non_negative_integer, as query parameters carry it (paging limits and offsets). */
export const NonNegativeInteger = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 });

/** quota_sets common_quota: a limit as an int (or digit string) from -1 (unlimited). */
export const QuotaLimit = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1, maximum: MAX_INT });

/** utils.validate_integer(id, 'id') on a path id: a 400 in Nova's words when it is no integer. */
export function integerId(id: string): number {
  const parsed = parseInteger(id);
  if (parsed === undefined) throw new BadRequest('Invalid input received: id must be an integer');
  return parsed;
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

/** parameter_types.name: 1–255 printable characters, no leading or trailing whitespace (common/http/name-formats.ts). */
export const NovaName = Type.String({ minLength: 1, maxLength: 255, format: 'name' });
/** parameter_types.hostname (2.90's create, update and rebuild). */
export const NovaHostname = Type.String({ minLength: 2, maxLength: 63, pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$' });

/** parameter_types.name_with_leading_trailing_spaces: printable, at least one non-space character. */
export const NovaNameWithSpaces = Type.String({ minLength: 1, maxLength: 255, format: 'name_with_leading_trailing_spaces' });

/** parameter_types.az_name: a name without `:`. */
export const NovaAzName = Type.String({ minLength: 1, maxLength: 255, format: 'az_name' });

/** parameter_types.az_name_with_leading_trailing_spaces */
export const NovaAzNameWithSpaces = Type.String({ minLength: 1, maxLength: 255, format: 'az_name_with_leading_trailing_spaces' });

/** oslo's uuidutils.is_uuid_like: 32 hex digits, hyphens anywhere, any case, optional `urn:uuid:` and braces. */
export function isUuidLike(value: string): boolean {
  const bare = value.toLowerCase().replace(/^urn:/, '').replace(/^uuid:/, '').replace(/[{}-]/g, '');
  return /^[0-9a-f]{32}$/.test(bare);
}

/**
 * Nova's query schemas keep `additionalProperties: true` up to a version (2.75 for most lists)
 * and reject unknown parameters from it on: the route declares the permissive schema, the
 * handler calls this check, which is a 400 only after `lastLenient`.
 */
export function unknownQueryCheck(permissive: TObject, lastLenient = '2.74'): (request: FastifyRequest) => void {
  const strict = queryValidator(Type.Object(permissive.properties, { additionalProperties: false }));
  const table = versioned<(query: unknown) => void>([
    { min: '2.1', max: lastLenient, value: () => undefined },
    { min: Microversion.of(lastLenient).next().toString(), value: (query) => void strict(query) },
  ]);
  return (request) => table.select(request.microversion)(request.query);
}

/** A query as Nova's query schemas see it: every parameter a list of its values, as text. */
export function queryLists(query: unknown): Record<string, string[]> {
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  return Object.fromEntries(
    Object.entries(query as Record<string, unknown>).map(([name, value]) => [name, (Array.isArray(value) ? (value as unknown[]) : [value]).map(text)]),
  );
}

/** parameter_types.description: up to 255 printable characters, or null. */
export const NovaDescription = Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: '^[^\\p{C}]*$' });

/** parameter_types.tag: 1–60 characters without `/` or `,`. */
export const NovaTag = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^,/]*$' });

/** parameter_types.metadata's keys: 1–255 letters, digits, spaces and `-_:.`. */
export const METADATA_KEY_PATTERN = '^[a-zA-Z0-9-_:. ]{1,255}$';

/** parameter_types.metadata's values: strings of up to 255 characters. */
export const MetadataValue = Type.String({ maxLength: 255 });

/**
 * parameter_types.metadata and its variants (metadata_with_null, flavor extra specs): keys of
 * Nova's alphabet, values of the given type. A key outside it is a 400 (see closeRecords).
 */
export function NovaMetadata<V extends TSchema>(value: V, options?: ObjectOptions) {
  return Type.Record(Type.String({ pattern: METADATA_KEY_PATTERN }), value, options);
}

/** parameter_types.ip_address: an IPv4 or IPv6 address. */
export const IpAddress = Type.Unsafe<string>({ type: 'string', oneOf: [{ format: 'ipv4' }, { format: 'ipv6' }] });
