/**
 * Cinder's list parameters: filters, `sort=key:dir,…` (or `sort_key`/`sort_dir`), `limit` and
 * `marker`, validated into a typed query; bad values are Cinder's InvalidInput (400).
 */
import { VOLUME_SORT_KEYS, type SortSpec, type VolumeSortKey } from '../db/volume-store.js';
import { invalidInput } from './volume-errors.js';

export interface PageQuery {
  readonly limit?: number;
  readonly marker?: string;
  /** Items to skip after the marker (or from the start). */
  readonly offset?: number;
}

export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidInput('limit param must be an integer');
  const limit = Number(value);
  if (limit < 0) throw invalidInput('limit param must be positive');
  return limit;
}

/** Cinder's `offset`: an integer of 0 or more. */
export function parseOffset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidInput('offset param must be an integer');
  const offset = Number(value);
  if (offset < 0) throw invalidInput('offset param must be positive');
  return offset;
}

/** The paging parameters of a list query. */
export function parsePage(query: Readonly<Record<string, string | undefined>>): PageQuery {
  const limit = parseLimit(query['limit']);
  const offset = parseOffset(query['offset']);
  const marker = query['marker'];
  return { ...(limit === undefined ? {} : { limit }), ...(marker === undefined ? {} : { marker }), ...(offset === undefined ? {} : { offset }) };
}

function direction(value: string | undefined): 'asc' | 'desc' {
  if (value === undefined || value === '') return 'desc';
  const lower = value.toLowerCase();
  if (lower !== 'asc' && lower !== 'desc') throw invalidInput(`Unknown sort direction, must be 'desc' or 'asc'`);
  return lower;
}

type SortQuery = { readonly sort?: string; readonly sort_key?: string; readonly sort_dir?: string };

/** Cinder's default order is created_at then id, newest first. */
export function parseSort(query: SortQuery): SortSpec<VolumeSortKey>[] {
  return parseSortOf(query, VOLUME_SORT_KEYS);
}

/** The sort of a list whose keys are `keys` (volumes', backups'). */
export function parseSortOf<K extends string>(query: SortQuery, keys: readonly K[]): SortSpec<K>[] {
  const isSortKey = (key: string): key is K => (keys as readonly string[]).includes(key);
  if (query.sort !== undefined && (query.sort_key !== undefined || query.sort_dir !== undefined)) {
    throw invalidInput("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  const pairs =
    query.sort !== undefined
      ? query.sort.split(',').map((item) => {
          const [key = '', dir] = item.trim().split(':');
          return { key, dir };
        })
      : query.sort_key !== undefined
        ? [{ key: query.sort_key, dir: query.sort_dir }]
        : [{ key: 'created_at', dir: query.sort_dir }];
  return pairs.map(({ key, dir }) => {
    const name = key === 'name' || key === 'display_name' ? 'name' : key;
    if (!isSortKey(name)) throw invalidInput(`Invalid sort key ${key}`);
    return { key: name, direction: direction(dir) };
  });
}

/**
 * The page after `marker` (and `offset` more) of at most `limit` items; a marker not in the list is
 * Cinder's 404. `full` is Cinder's condition for a next link: the page holds as many as it could,
 * even when nothing follows (the next page is then empty).
 */
export function page<T extends { readonly id: string }>(
  items: readonly T[],
  query: PageQuery,
  maxLimit: number,
  notFound: (marker: string) => Error,
): { items: T[]; more: boolean; full: boolean } {
  let start = 0;
  if (query.marker !== undefined) {
    const at = items.findIndex((item) => item.id === query.marker);
    if (at < 0) throw notFound(query.marker);
    start = at + 1;
  }
  start += query.offset ?? 0;
  const limit = Math.min(query.limit ?? maxLimit, maxLimit);
  const slice = items.slice(start, start + limit);
  return { items: slice, more: start + limit < items.length, full: slice.length > 0 && slice.length === limit };
}

/** Cinder's boolean query values: true/false, yes/no, 1/0, on/off. */
export function parseBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (['true', 't', 'yes', 'y', 'on', '1'].includes(lower)) return true;
  if (['false', 'f', 'no', 'n', 'off', '0'].includes(lower)) return false;
  throw invalidInput(`Unrecognized value '${value}' for ${name}`);
}
