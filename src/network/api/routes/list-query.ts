import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../errors.js';
import type { ResourceView } from '../../plugin/caller.js';

/** Attribute filters: each attribute's wanted values (any of them matches). */
export type ListFilters = ReadonlyMap<string, readonly string[]>;

/** Neutron's list parameters: `fields`, attribute filters, `sort_key`/`sort_dir`, `limit`/`marker`. */
export interface ListQuery {
  readonly fields: readonly string[];
  readonly filters: ListFilters;
  readonly sort: readonly { readonly key: string; readonly dir: 'asc' | 'desc' }[];
  readonly limit: number | undefined;
  readonly marker: string | undefined;
  /** The query as given, to build paging links from. */
  readonly params: URLSearchParams;
}

const CONTROL = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);

/** The query string as given: repeated keys kept. */
export function queryOf(request: FastifyRequest): URLSearchParams {
  const index = request.url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
}

export function parseListQuery(params: URLSearchParams): ListQuery {
  const keys = params.getAll('sort_key');
  const dirs = params.getAll('sort_dir');
  if (dirs.length > 0 && dirs.length !== keys.length) throw badRequest('The number of sort_keys and sort_dirs must be same', 'HTTPBadRequest');
  const sort = keys.map((key, index) => {
    const dir = dirs[index] ?? 'asc';
    if (dir !== 'asc' && dir !== 'desc') throw badRequest(`${dir} is invalid value for sort_dir, valid value is 'asc' and 'desc'`, 'HTTPBadRequest');
    return { key, dir: dir === 'asc' ? ('asc' as const) : ('desc' as const) };
  });
  const limitText = params.get('limit');
  let limit: number | undefined;
  if (limitText !== null) {
    if (!/^-?\d+$/.test(limitText) || Number(limitText) < 0) throw badRequest(`Limit must be an integer 0 or greater and not '${limitText}'`, 'HTTPBadRequest');
    limit = Number(limitText) === 0 ? undefined : Number(limitText);
  }
  const filters = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (!CONTROL.has(key)) filters.set(key, [...(filters.get(key) ?? []), value]);
  }
  return { fields: params.getAll('fields').filter((field) => field !== ''), filters, sort, limit, marker: params.get('marker') ?? undefined, params };
}

/** A filter value against an attribute, as Neutron converts filter strings to the attribute's type. */
function matches(actual: unknown, wanted: string): boolean {
  if (typeof actual === 'boolean') return ['true', '1'].includes(wanted.toLowerCase()) === actual && ['true', 'false', '1', '0'].includes(wanted.toLowerCase());
  if (actual === null || actual === undefined) return wanted === '' || wanted.toLowerCase() === 'none';
  if (Array.isArray(actual)) return actual.some((item) => matches(item, wanted));
  if (typeof actual === 'object') {
    // fixed_ips=ip_address=10.0.0.3, fixed_ips=subnet_id=…
    const [key = '', value = ''] = wanted.split('=', 2);
    return scalarText((actual as Record<string, unknown>)[key]) === value;
  }
  return scalarText(actual) === wanted;
}

/** Neutron's tag filters: `tags` (all of), `tags-any`, `not-tags`, `not-tags-any`, each comma-separated. */
function tagsMatch(key: string, tags: readonly string[], values: readonly string[]): boolean {
  const wanted = values.flatMap((value) => value.split(','));
  switch (key) {
    case 'tags':
      return wanted.every((tag) => tags.includes(tag));
    case 'tags-any':
      return wanted.some((tag) => tags.includes(tag));
    case 'not-tags':
      return !wanted.every((tag) => tags.includes(tag));
    default:
      return !wanted.some((tag) => tags.includes(tag));
  }
}

export const TAG_FILTERS: ReadonlySet<string> = new Set(['tags', 'tags-any', 'not-tags', 'not-tags-any']);

/** Filters unknown to a resource are ignored, as Neutron does without the filter-validation extension. */
export function filterViews(views: readonly ResourceView[], filters: ListFilters): ResourceView[] {
  // A string or number matches as its text: one lookup in a set (Nova asks for 100 device_ids at once, of 100 ports).
  const entries = [...filters].map(([key, values]) => ({ key, values, texts: new Set(values) }));
  return views.filter((view) =>
    entries.every(({ key, values, texts }) => {
      if (TAG_FILTERS.has(key)) return tagsMatch(key, Array.isArray(view['tags']) ? (view['tags'] as string[]) : [], values);
      if (!(key in view)) return true;
      const actual = view[key];
      if (typeof actual === 'string' || typeof actual === 'number') return texts.has(String(actual));
      return values.some((value) => matches(actual, value));
    }),
  );
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return (scalarText(a) ?? '') < (scalarText(b) ?? '') ? -1 : 1;
}

/** A scalar as text; undefined for structures, which match no filter. */
function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Sorted by the keys asked for, then by id (Neutron adds id so that pages are stable). */
export function sortViews(views: readonly ResourceView[], sort: ListQuery['sort']): ResourceView[] {
  for (const { key } of sort) {
    const sample = views.find((view) => key in view);
    if (views.length > 0 && sample === undefined) throw badRequest(`[${key}] is invalid attribute for sort_keys`, 'HTTPBadRequest');
  }
  const keys = sort.some((entry) => entry.key === 'id') ? sort : [...sort, { key: 'id', dir: sort[0]?.dir ?? 'asc' }];
  return [...views].sort((a, b) => {
    for (const { key, dir } of keys) {
      const order = compare(a[key], b[key]);
      if (order !== 0) return dir === 'asc' ? order : -order;
    }
    return 0;
  });
}

/** The page after the marker (404 when the marker names nothing the caller can list), and whether more follow. */
export function pageOf(views: readonly ResourceView[], query: ListQuery, notFound: (id: string) => Error): { page: ResourceView[]; more: boolean } {
  let start = 0;
  if (query.marker !== undefined) {
    const index = views.findIndex((view) => view['id'] === query.marker);
    if (index < 0) throw notFound(query.marker);
    start = index + 1;
  }
  const end = query.limit === undefined ? views.length : start + query.limit;
  return { page: views.slice(start, end), more: end < views.length };
}

/** Only the fields asked for (all of them when none were). */
export function selectFields(view: ResourceView, fields: readonly string[]): ResourceView {
  if (fields.length === 0) return view;
  return Object.fromEntries(Object.entries(view).filter(([key]) => fields.includes(key)));
}

/** Neutron's `<collection>_links`: next when a full page left more, previous when a marker was given. */
export function pageLinks(baseUrl: string, query: ListQuery, page: readonly ResourceView[], more: boolean): { rel: string; href: string }[] {
  const link = (rel: string, marker: unknown, reverse: boolean) => {
    const params = new URLSearchParams(query.params);
    params.set('marker', String(marker));
    if (reverse) params.set('page_reverse', 'True');
    else params.delete('page_reverse');
    return { rel, href: `${baseUrl}?${params.toString()}` };
  };
  const links: { rel: string; href: string }[] = [];
  const last = page[page.length - 1];
  const first = page[0];
  if (query.limit !== undefined && more && last !== undefined) links.push(link('next', last['id'], false));
  if (query.marker !== undefined && first !== undefined) links.push(link('previous', first['id'], true));
  return links;
}
