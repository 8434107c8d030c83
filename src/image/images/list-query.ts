import { BadRequest } from '../../common/errors/errors.js';
import { MEMBER_STATUSES, VISIBILITIES, type MemberStatus, type Visibility } from './image.js';

/** Columns `GET /v2/images` sorts by (Glance's `_available_sort_keys`). */
export const SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 1000;

/** Columns filtered with Glance's `in:`/`eq:` operators. */
const LISTABLE_COLUMNS = ['name', 'id', 'status', 'container_format', 'disk_format'] as const;
type ListableColumn = (typeof LISTABLE_COLUMNS)[number];
/** Columns compared for plain equality. */
const EQUAL_COLUMNS = ['owner', 'checksum', 'os_hash_value', 'os_hash_algo', 'min_ram', 'min_disk', 'size', 'virtual_size'] as const;
const NUMERIC_COLUMNS: readonly EqualColumn[] = ['min_ram', 'min_disk', 'size', 'virtual_size'];
type EqualColumn = (typeof EQUAL_COLUMNS)[number];

export const COMPARISONS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface ImageListQuery {
  readonly limit: number;
  readonly marker?: string;
  /** Ends with created_at and id, so the order (and so the marker) is total. */
  readonly sort: readonly { readonly key: SortKey; readonly dir: SortDir }[];
  /** Which memberships make a shared image listed (Glance's default: accepted). */
  readonly memberStatus: MemberStatus | 'all';
  /** Only this visibility; `all` lifts the default that hides others' community images. */
  readonly visibility?: Visibility | 'all';
  readonly oneOf: readonly { readonly column: ListableColumn; readonly values: readonly string[] }[];
  readonly equal: readonly { readonly column: EqualColumn; readonly value: string | number }[];
  readonly tags: readonly string[];
  readonly size: { readonly min?: number; readonly max?: number };
  readonly virtualSize: { readonly min?: number; readonly max?: number };
  readonly times: readonly { readonly column: 'created_at' | 'updated_at'; readonly op: Comparison; readonly value: string }[];
  readonly osHidden: boolean;
  readonly protected?: boolean;
  /** Extra properties that must have exactly these values. */
  readonly properties: Readonly<Record<string, string>>;
}

/** Glance's `split_filter_op`: `op:value`, or a bare value (an ISO time keeps its colons) compared for equality. */
function splitOperator(expression: string): { op: string; value: string } {
  const colon = expression.indexOf(':');
  if (colon < 0 || isoTime(expression) !== undefined) return { op: 'eq', value: expression };
  return { op: expression.slice(0, colon), value: expression.slice(colon + 1) };
}

/** An ISO 8601 time as the stored text (UTC, milliseconds), or undefined when it is not one. */
function isoTime(text: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text)) return undefined;
  const time = Date.parse(/T.*(Z|[+-]\d\d:?\d\d)$/.test(text) || !text.includes('T') ? text : `${text}Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** `in:a,"b,c"` values, Glance's quoting rules simplified to quotes around a value. */
function splitList(value: string): string[] {
  const values: string[] = [];
  for (const match of value.matchAll(/"((?:[^"\\]|\\.)*)"|([^,]+)/g)) {
    values.push(match[1] !== undefined ? match[1].replace(/\\"/g, '"') : (match[2] ?? '').trim());
  }
  return values;
}

function integer(text: string, message: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new BadRequest(message);
  return Number(text);
}

function booleanFilter(name: string, text: string): boolean {
  const value = text.toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new BadRequest(`Invalid value '${text}' for '${name}' filter. Valid values are 'true' or 'false'.`);
  }
  return value === 'true';
}

function sortKey(text: string): SortKey {
  const key = SORT_KEYS.find((candidate) => candidate === text);
  if (key === undefined) {
    throw new BadRequest(`Invalid sort key: ${text}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
  }
  return key;
}

function sortDir(text: string): SortDir {
  if (text !== 'asc' && text !== 'desc') throw new BadRequest(`Invalid sort direction: ${text}`);
  return text;
}

/** `sort=name:asc,size` or the legacy repeated `sort_key`/`sort_dir`; created_at and id close the order. */
function sortOf(params: URLSearchParams): { key: SortKey; dir: SortDir }[] {
  const sort: { key: SortKey; dir: SortDir }[] = [];
  const newStyle = params.get('sort');
  if (newStyle !== null) {
    if (params.has('sort_key') || params.has('sort_dir')) throw new BadRequest('Old and new sorting syntax cannot be combined');
    for (const part of newStyle.trim().split(',')) {
      const [key = '', dir = ''] = part.split(':');
      sort.push({ key: sortKey(key.trim()), dir: dir.trim() === '' ? 'desc' : sortDir(dir.trim()) });
    }
  } else {
    const keys = params.getAll('sort_key').map((key) => sortKey(key.trim()));
    const dirs = params.getAll('sort_dir').map((dir) => sortDir(dir.trim()));
    if (dirs.length > 1 && dirs.length !== keys.length) throw new BadRequest('Number of sort dirs does not match the number of sort keys');
    keys.forEach((key, index) => sort.push({ key, dir: dirs[dirs.length === 1 ? 0 : index] ?? 'desc' }));
    if (keys.length === 0) sort.push({ key: 'created_at', dir: dirs[0] ?? 'desc' });
  }
  for (const key of ['created_at', 'id'] as const) {
    if (!sort.some((entry) => entry.key === key)) sort.push({ key, dir: 'desc' });
  }
  return sort;
}

const HANDLED = new Set(['limit', 'marker', 'member_status', 'visibility', 'tag', 'sort', 'sort_key', 'sort_dir', 'os_hidden', 'protected']);

/** `GET /v2/images` query parameters read as Glance's RequestDeserializer and ImagesController read them. */
export function parseListQuery(params: URLSearchParams): ImageListQuery {
  const limitText = params.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : integer(limitText, 'limit param must be an integer');
  if (limit < 0) throw new BadRequest('limit param must be positive');

  const memberStatus = params.get('member_status') ?? 'accepted';
  if (memberStatus !== 'all' && !MEMBER_STATUSES.some((status) => status === memberStatus)) {
    throw new BadRequest(`Invalid status: ${memberStatus}`);
  }
  const visibility = params.get('visibility') ?? undefined;
  if (visibility !== undefined && visibility !== 'all' && !VISIBILITIES.some((known) => known === visibility)) {
    throw new BadRequest(`Invalid visibility value: ${visibility}`);
  }
  if (params.has('changes-since')) throw new BadRequest('The "changes-since" filter is no longer available on v2.');

  const query = {
    limit: Math.min(limit, MAX_LIMIT),
    ...(params.has('marker') ? { marker: params.get('marker') ?? '' } : {}),
    sort: sortOf(params),
    memberStatus: memberStatus as MemberStatus | 'all',
    ...(visibility === undefined ? {} : { visibility: visibility as Visibility | 'all' }),
    oneOf: [] as { column: ListableColumn; values: string[] }[],
    equal: [] as { column: EqualColumn; value: string | number }[],
    tags: params.getAll('tag').map((tag) => tag.trim()),
    size: {} as { min?: number; max?: number },
    virtualSize: {} as { min?: number; max?: number },
    times: [] as { column: 'created_at' | 'updated_at'; op: Comparison; value: string }[],
    osHidden: booleanFilter('os_hidden', params.get('os_hidden') ?? 'false'),
    ...(params.has('protected') ? { protected: booleanFilter('protected', params.get('protected') ?? '') } : {}),
    properties: {} as Record<string, string>,
  };

  for (const [name, raw] of params) {
    if (HANDLED.has(name)) continue;
    const range = /^(size|virtual_size)_(min|max)$/.exec(name);
    const column = LISTABLE_COLUMNS.find((candidate) => candidate === name);
    const equalColumn = EQUAL_COLUMNS.find((candidate) => candidate === name);
    if (range !== null) {
      const bound = integer(raw, 'Unable to filter on a range with a non-numeric value.');
      const target = range[1] === 'size' ? query.size : query.virtualSize;
      target[range[2] === 'min' ? 'min' : 'max'] = bound;
    } else if (name === 'created_at' || name === 'updated_at') {
      const { op, value } = splitOperator(raw);
      const time = isoTime(value);
      if (time === undefined) throw new BadRequest(`Bad "${name}" query filter format. Use ISO 8601 DateTime notation.`);
      const comparison = COMPARISONS.find((candidate) => candidate === op);
      if (comparison === undefined) throw new BadRequest('Unable to filter on a unknown operator.');
      query.times.push({ column: name, op: comparison, value: time });
    } else if (column !== undefined) {
      const { op, value } = splitOperator(raw);
      if (op === 'in') query.oneOf.push({ column, values: splitList(value) });
      else if (op === 'eq') query.oneOf.push({ column, values: [value] });
      else throw new BadRequest(`Unable to filter by unknown operator '${op}'.`);
    } else if (equalColumn !== undefined) {
      const numeric = NUMERIC_COLUMNS.includes(equalColumn);
      query.equal.push({ column: equalColumn, value: numeric ? integer(raw, `Invalid value '${raw}' for '${name}' filter.`) : raw });
    } else {
      query.properties[name] = raw;
    }
  }
  return query;
}
