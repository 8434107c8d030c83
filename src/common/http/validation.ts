import { isIPv4, isIPv6 } from 'node:net';
import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { BadRequest } from '../errors/errors.js';
import { invalidNameMessage, NAME_FORMATS } from './name-formats.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** The string formats OpenStack schemas use; an unknown format fails when the validator is compiled. */
const FORMATS = {
  ...Object.fromEntries(Object.entries(NAME_FORMATS).map(([name, format]) => [name, format.check])),
  uuid: UUID,
  'date-time': (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  ipv4: (value: string) => isIPv4(value),
  ipv6: (value: string) => isIPv6(value),
  uri: (value: string) => URL.canParse(value),
};

/**
 * Deliberate ajv settings. Unknown fields are rejected (Fastify's default strips them), the
 * first error is reported (the OpenStack services report one), and `verbose` keeps the offending
 * value for the message. Strict mode turns schema mistakes into compile errors (which the suite's
 * compileAllValidators run catches), never console noise.
 */
const COMMON: Options = {
  strict: true,
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  verbose: true,
  allowUnionTypes: true,
  addUsedSchema: false,
  formats: FORMATS,
};

/** Bodies are JSON and already typed: `"1"` is not `1`. */
const bodyAjv = new Ajv({ ...COMMON, coerceTypes: false });
/** Query strings, path params and headers are text: coerce, and let one value fill an array. */
const parameterAjv = new Ajv({ ...COMMON, coerceTypes: 'array' });

/** What TypeBox emits for `Type.Record(Type.String(…), V)`: any key; the key's own limits are dropped. */
const ANY_KEY = '^(.*)$';

/**
 * TypeBox writes `Type.Record(K, V)` as `patternProperties: {<K's pattern>: V}` with no
 * `additionalProperties`, so under ajv a key outside the pattern is simply not checked (and a
 * string key's minLength/maxLength never reach the schema). Every Record is closed here, before
 * ajv sees it, as Nova's `parameter_types.metadata` is: keys must match the pattern. A Record
 * whose key has no pattern cannot be enforced, so it is a schema mistake, refused at start-up.
 */
export function closeRecords<T>(node: T): T {
  if (Array.isArray(node)) return node.map(closeRecords) as T;
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(node)) copy[key] = closeRecords((node as Record<string | symbol, unknown>)[key]);
  if (copy[Kind] === 'Record') {
    const patterns = Object.keys(copy['patternProperties'] ?? {});
    if (patterns.includes(ANY_KEY)) {
      throw new Error("Type.Record with a key that has no pattern cannot limit its keys: give the key a pattern, or use Type.Object({}, { additionalProperties: V }) for free keys");
    }
    copy['additionalProperties'] ??= false;
  }
  return copy as T;
}

/** Every validator made and not yet compiled, for {@link compileAllValidators}. */
const uncompiled = new Set<() => unknown>();

/**
 * `schema`'s validator, compiled by ajv on first use: generating the code of every route's and
 * microversion's schema up front took most of each command's start-up, whatever it ran.
 */
function compileOnFirstUse<T>(ajv: Ajv, schema: TSchema): () => ValidateFunction<T> {
  // Closing the records is a cheap walk, done now so a Record without a key pattern fails at start-up.
  const closed = closeRecords(schema);
  let validate: ValidateFunction<T> | undefined;
  const compile = (): ValidateFunction<T> => {
    if (validate === undefined) {
      validate = ajv.compile<T>(closed);
      uncompiled.delete(compile);
    }
    return validate;
  };
  uncompiled.add(compile);
  return compile;
}

/**
 * Compiles every validator made so far, so that a schema mistake strict mode rejects fails here
 * (the suite calls this with every service's routes built) rather than on some first request.
 */
export function compileAllValidators(): void {
  for (const compile of [...uncompiled]) compile();
}

/** Fastify's validator compiler: bodies strict, everything else coerced; ajv runs on first use. */
export const compileValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const compiled = compileOnFirstUse<unknown>(httpPart === 'body' ? bodyAjv : parameterAjv, schema);
  const validate = (data: unknown, context?: Parameters<ValidateFunction>[1]): boolean => {
    const inner = compiled();
    const valid = inner(data, context);
    validate.errors = inner.errors;
    return valid;
  };
  validate.errors = undefined as ValidateFunction['errors'];
  // Fastify hands ajv's own functions the request as parent data (so a root value can be coerced)
  // when it sees their `schemaEnv`: show it the compiled one's.
  Object.defineProperty(validate, 'schemaEnv', { get: () => compiled().schemaEnv });
  return validate;
};

/** Python's repr as jsonschema's messages print values: strings quoted, the rest as JSON. */
function repr(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** The value as Nova's "Value: …" prints it: strings bare. */
function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

function typeNames(type: unknown): string {
  const names = Array.isArray(type) ? type : String(type).split(',');
  return names.map((name) => `'${String(name)}'`).join(', ');
}

/** jsonschema's wording for one failed keyword, which the OpenStack services pass through. */
function describeFailure(error: FastifySchemaValidationError, value: unknown): string {
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return `'${String(params.missingProperty)}' is a required property`;
    case 'additionalProperties': {
      const patterns = Object.keys(((error as ErrorObject).parentSchema?.['patternProperties'] ?? {}) as object);
      if (patterns.length > 0) return `${repr(params.additionalProperty)} does not match any of the regexes: ${patterns.map(repr).join(', ')}`;
      return `Additional properties are not allowed ('${String(params.additionalProperty)}' was unexpected)`;
    }
    case 'type':
      return `${repr(value)} is not of type ${typeNames(params.type)}`;
    case 'enum':
      return `${repr(value)} is not one of [${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(repr).join(', ')}]`;
    case 'const':
      return `${repr(params.allowedValue)} was expected`;
    case 'minLength':
    case 'minItems':
      return `${repr(value)} is too short`;
    case 'maxLength':
    case 'maxItems':
      return `${repr(value)} is too long`;
    case 'minimum':
      return `${repr(value)} is less than the minimum of ${String(params.limit)}`;
    case 'maximum':
      return `${repr(value)} is greater than the maximum of ${String(params.limit)}`;
    case 'pattern':
      return `${repr(value)} does not match '${String(params.pattern)}'`;
    case 'format':
      return `${repr(value)} is not a '${String(params.format)}'`;
    case 'anyOf':
    case 'oneOf':
      return `${repr(value)} is not valid under any of the given schemas`;
    default:
      return error.message ?? `failed the '${error.keyword}' check`;
  }
}

/** The JSON pointer's last segment: the field Nova names in its message. */
function fieldName(instancePath: string): string | undefined {
  const last = instancePath.split('/').pop();
  return last ? last.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

/**
 * Nova's validation message: `Invalid input for field/attribute name. Value: 1. 1 is not of type
 * 'string'` (query strings say "query parameters"); an error at the top level is the bare detail.
 */
export function validationMessage(errors: readonly FastifySchemaValidationError[], dataVar: string): string {
  // Nova answers a bad name with InvalidName's own words, whatever else failed around it.
  const nameFormat = errors.map(({ keyword, params }) => (keyword === 'format' && Object.hasOwn(NAME_FORMATS, String(params.format)) ? NAME_FORMATS[String(params.format)] : undefined)).find((format) => format !== undefined);
  if (nameFormat !== undefined) return invalidNameMessage(nameFormat);
  // A failed anyOf/oneOf comes after its branches' errors; it is the one that names the problem.
  const error = errors.find(({ keyword }) => keyword === 'anyOf' || keyword === 'oneOf') ?? errors[0];
  if (!error) return `Invalid input for ${dataVar}.`;
  const value = 'data' in error ? (error as ErrorObject).data : undefined;
  const detail = describeFailure(error, value);
  const field = fieldName(error.instancePath);
  if (field === undefined) return detail;
  const what = dataVar === 'querystring' ? 'query parameters' : 'field/attribute';
  return `Invalid input for ${what} ${field}. Value: ${display(value)}. ${detail}`;
}

/** Fastify's schemaErrorFormatter: validation failures become a 400 in the service's fault format. */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new BadRequest(validationMessage(errors, dataVar));
}

/**
 * A body check for when the schema depends on the microversion, so it cannot sit in the route's
 * schema: `versioned([{ min: '2.1', max: '2.36', value: bodyValidator(V21) }, …])`, then
 * `table.select(request.microversion)(request.body)` in the handler. Same settings and messages.
 */
export function bodyValidator<T extends TSchema>(schema: T): (body: unknown) => Static<T> {
  const compiled = compileOnFirstUse<Static<T>>(bodyAjv, schema);
  return (body) => {
    const validate = compiled();
    if (validate(body)) return body;
    throw new BadRequest(validationMessage(validate.errors ?? [], 'body'));
  };
}

/**
 * The query-string twin of `bodyValidator`, for checks that depend on the microversion (Nova
 * 2.75 turns unknown parameters into a 400): coerced like route query schemas, same messages.
 */
export function queryValidator<T extends TSchema>(schema: T): (query: unknown) => Static<T> {
  const compiled = compileOnFirstUse<Static<T>>(parameterAjv, schema);
  return (query) => {
    const validate = compiled();
    if (validate(query)) return query;
    throw new BadRequest(validationMessage(validate.errors ?? [], 'querystring'));
  };
}
