/**
 * Hostile requests for one route, generated from the route's own JSON schemas (TypeBox output):
 * wrong types, missing and extra fields, empty and huge values, control characters, unicode,
 * path traversal, SQL-ish and format strings, boundary numbers, non-object and malformed bodies,
 * hostile path segments and query parameters. Deterministic: the cases of a route depend only on
 * its method and path, so adding a route changes no other route's cases.
 */
import { BadRequest } from '../../src/common/errors/errors.js';
import { bodyValidator, queryValidator } from '../../src/common/http/validation.js';
import type { TSchema } from '@sinclair/typebox';

/** A JSON schema as TypeBox writes it, read loosely. */
interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly minimum?: number;
  readonly patternProperties?: Readonly<Record<string, Schema>>;
}

export interface RouteShape {
  readonly method: string;
  /** Fastify's path with its prefix: `/compute/v2.1/servers/:server_id`. */
  readonly url: string;
  readonly schema?: { readonly body?: unknown; readonly params?: unknown; readonly querystring?: unknown };
}

export interface HostileCase {
  readonly label: string;
  readonly method: string;
  /** Path and query, percent-encoded. */
  readonly url: string;
  /** The body as sent (JSON text, or deliberately broken text); absent: none. */
  readonly payload?: string;
  /** The route's own schema refuses it: the answer must be a 4xx. */
  readonly refusedBySchema: boolean;
  /** A hostile body the schema accepts: it may rightly change the database, but must never be a 500. */
  readonly mayChange: boolean;
}

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\u0000b',
  'bell\u0007',
  '\u001b[2J',
  'tab\tnew\nline',
  '../../../../etc/passwd',
  '..%2F..%2Fetc',
  "' OR '1'='1' --",
  "'; DROP TABLE compute_instances; --",
  '%s%n%x%d',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '\u202eevil\ufeff\u200b',
  'ünïcödé 名前 💥',
  '\ud800',
  'x'.repeat(70_000),
  '-1',
  'null',
];
const HOSTILE_NUMBERS: readonly number[] = [-1, 0, 1.5, -2147483649, 2147483648, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308];
const WRONG_TYPES: readonly unknown[] = [null, true, 0, 'x', [], {}];
const HOSTILE_SEGMENTS: readonly string[] = [
  '..',
  '../../etc/passwd',
  "' OR 1=1 --",
  'a\u0000b',
  '%',
  '💥',
  'x'.repeat(300),
  '-1',
  '99999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  ' ',
  'a/b',
];
const HOSTILE_QUERY_VALUES: readonly string[] = ['-1', 'abc', '', '1e999', "' OR 1=1 --", '../../etc', 'a\u0000b', 'x'.repeat(5000), 'true', '2147483648'];

/** mulberry32: small, fast, seedable. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619);
  return hash >>> 0;
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? (schema.type[0] as string | undefined) : (schema.type as string | undefined);
}

/** A value the schema probably accepts, to mutate one place of. */
export function sample(schema: Schema, depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) return schema.enum[0];
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0];
  if (branch !== undefined) return sample(branch, depth + 1);
  switch (typeOf(schema)) {
    case 'object':
      return depth > 8 ? {} : Object.fromEntries((schema.required ?? []).map((name) => [name, sample(schema.properties?.[name] ?? {}, depth + 1)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, depth + 1));
    case 'string':
      return sampleString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

function sampleString(schema: Schema): string {
  switch (schema.format) {
    case 'uuid':
      return '6f1c4a46-1111-4c4e-9a7e-00000000abcd';
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'ipv4':
      return '192.0.2.1';
    case 'ipv6':
      return '2001:db8::1';
    case 'uri':
      return 'http://example.com/';
    default:
      return 'a'.repeat(Math.max(schema.minLength ?? 1, 1));
  }
}

/** A place in a sampled body: its path and schema, and whether its object requires it. */
interface Slot {
  readonly path: readonly string[];
  readonly schema: Schema;
  readonly required: boolean;
}

function slotsOf(schema: Schema, path: readonly string[] = [], depth = 0): Slot[] {
  const object = schema.anyOf?.find((s) => typeOf(s) === 'object') ?? schema.oneOf?.find((s) => typeOf(s) === 'object') ?? schema;
  if (typeOf(object) !== 'object' || depth > 6) return [];
  return Object.entries(object.properties ?? {}).flatMap(([name, child]) => [
    { path: [...path, name], schema: child, required: (object.required ?? []).includes(name) },
    ...((object.required ?? []).includes(name) ? slotsOf(child, [...path, name], depth + 1) : []),
  ]);
}

function withValue(root: unknown, path: readonly string[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1) ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

/** Bodies for a route with a body: mutations of a sample, and bodies no JSON object schema accepts. */
function hostileBodies(schema: Schema | undefined, random: () => number, count: number): { label: string; payload: string }[] {
  const base = schema === undefined ? {} : sample(schema);
  const slots = schema === undefined ? [] : slotsOf(schema);
  const bodies: { label: string; payload: string }[] = [
    { label: 'malformed JSON', payload: '{"a": [1, ' },
    { label: `root ${JSON.stringify(pick(random, WRONG_TYPES))}`, payload: JSON.stringify(pick(random, WRONG_TYPES)) },
    { label: 'extra field', payload: JSON.stringify(typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base, hostile_extra: 1 } : { hostile_extra: 1 }) },
    { label: 'nested 200 deep', payload: JSON.stringify(nested(200)) },
  ];
  while (bodies.length < count && slots.length > 0) {
    const slot = pick(random, slots);
    const where = slot.path.join('.');
    const kind = Math.floor(random() * 5);
    if (kind === 0 && slot.required) {
      bodies.push({ label: `missing ${where}`, payload: JSON.stringify(withValue(base, slot.path, undefined)) });
    } else if (kind === 1) {
      const wrong = pick(random, WRONG_TYPES.filter((value) => JSON.stringify(value) !== JSON.stringify(sample(slot.schema))));
      bodies.push({ label: `${where} = ${JSON.stringify(wrong)}`, payload: JSON.stringify(withValue(base, slot.path, wrong)) });
    } else if (kind === 2) {
      const number = pick(random, HOSTILE_NUMBERS);
      bodies.push({ label: `${where} = ${number}`, payload: JSON.stringify(withValue(base, slot.path, number)) });
    } else {
      const text = pick(random, HOSTILE_STRINGS);
      bodies.push({ label: `${where} = ${JSON.stringify(text.slice(0, 40))}`, payload: JSON.stringify(withValue(base, slot.path, text)) });
    }
  }
  return bodies.slice(0, count);
}

function refuses(check: ((value: unknown) => unknown) | undefined, value: unknown): boolean {
  if (check === undefined) return false;
  try {
    check(structuredClone(value));
    return false;
  } catch (error) {
    if (error instanceof BadRequest) return true;
    throw error;
  }
}

function parseBody(payload: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Ids of real resources by path parameter name, so reads get past the lookup to their query handling. */
export type KnownIds = Readonly<Record<string, readonly string[]>>;

/** The route's path with its parameters replaced by hostile segments, or known ids (percent-encoded). */
function hostilePath(url: string, random: () => number, known: KnownIds): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const ids = known[name] ?? [];
    const value = ids.length > 0 ? pick(random, ids) : pick(random, HOSTILE_SEGMENTS);
    params[name] = value;
    return value === '..' ? value : encodeURIComponent(value);
  });
  return { path, params };
}

function queryNames(schema: Schema | undefined): string[] {
  return [...Object.keys(schema?.properties ?? {}), 'limit', 'marker', 'sort_key', 'hostile_unknown'];
}

/**
 * `count` hostile requests for the route. Reads (GET, HEAD) use known ids in every other case;
 * writes never do, so a case can only change something by being wrongly accepted.
 */
export function hostileCases(route: RouteShape, count: number, knownIds: KnownIds = {}): HostileCase[] {
  const random = generator(seedOf(`${route.method} ${route.url}`));
  const bodySchema = route.schema?.body as Schema | undefined;
  const checkBody = bodySchema === undefined ? undefined : bodyValidator(bodySchema as TSchema);
  const checkParams = route.schema?.params === undefined ? undefined : queryValidator(route.schema.params as TSchema);
  const querySchema = route.schema?.querystring as Schema | undefined;
  const checkQuery = querySchema === undefined ? undefined : queryValidator(querySchema as TSchema);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  // Bodies the schema refuses make the cases that must change nothing; those it accepts (control
  // characters, SQL-ish text, huge values in free-form fields) may rightly change the database.
  const candidates = hasBody ? hostileBodies(bodySchema, random, count * 4) : [];
  const accepted = (payload: string) => {
    const parsed = parseBody(payload);
    return parsed.ok && checkBody !== undefined && !refuses(checkBody, parsed.value);
  };
  const bodies = candidates.filter(({ payload }) => !accepted(payload)).slice(0, count);
  const acceptedBodies = candidates.filter(({ payload }) => accepted(payload)).slice(0, Math.ceil(count / 2));

  const strict = Array.from({ length: count }, (_unused, index) => {
    const reads = route.method === 'GET' || route.method === 'HEAD';
    const { path, params } = hostilePath(route.url, random, reads && index % 2 === 0 ? knownIds : {});
    const name = pick(random, queryNames(querySchema));
    const value = pick(random, HOSTILE_QUERY_VALUES);
    const query = index % 2 === 1 ? { [name]: value } : {};
    const search = new URLSearchParams(query).toString();
    const body = bodies[index % Math.max(bodies.length, 1)];
    const parsed = body === undefined ? undefined : parseBody(body.payload);
    const refusedBySchema =
      refuses(checkParams, params) ||
      refuses(checkQuery, query) ||
      (parsed !== undefined && (!parsed.ok || refuses(checkBody, parsed.value)));
    return {
      label: [body?.label, search === '' ? undefined : `?${search.slice(0, 60)}`, JSON.stringify(params).slice(0, 80)].filter(Boolean).join(' '),
      method: route.method,
      url: search === '' ? path : `${path}?${search}`,
      ...(body === undefined ? {} : { payload: body.payload }),
      refusedBySchema,
      mayChange: false,
    };
  });
  const lenient = acceptedBodies.map(({ label, payload }) => ({ label: `accepted ${label}`, method: route.method, url: route.url.replace(/:[A-Za-z0-9_]+/g, 'x'), payload, refusedBySchema: false, mayChange: true }));
  return [...strict, ...lenient];
}
