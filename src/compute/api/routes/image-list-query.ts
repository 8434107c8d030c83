/**
 * GET /images query parameters as Nova hands them to Glance: its filters (images.py
 * _get_filters) in Glance v2's words (glance.py _extract_query_params_v2), and limit/marker
 * (common.get_pagination_params).
 */
import { BadRequest } from '../../../common/errors/errors.js';

/** Nova's filter names and the Glance v2 parameter each becomes (`property-x` is `x`). */
const FILTERS: Readonly<Record<string, string>> = {
  name: 'name',
  status: 'status',
  server: 'instance_uuid',
  type: 'image_type',
  minRam: 'min_ram',
  minDisk: 'min_disk',
};

export interface ProxyListQuery {
  /** Glance v2 filters, without paging. */
  readonly filters: URLSearchParams;
  /** Nova asks for every image when the limit is absent or 0. */
  readonly limit?: number;
  readonly marker?: string;
}

function nonNegativeInteger(name: string, text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new BadRequest(`Invalid input received: ${name} must be an integer`);
  const value = Number(text);
  if (value < 0) throw new BadRequest(`Invalid input received: ${name} must be >= 0`);
  return value;
}

export function parseProxyListQuery(query: Readonly<Record<string, unknown>>): ProxyListQuery {
  const filters = new URLSearchParams();
  const text = (name: string): string | undefined => {
    // A repeated parameter counts once, its last value, as webob's params.get reads it.
    const value: unknown = Array.isArray(query[name]) ? (query[name] as unknown[]).at(-1) : query[name];
    return typeof value === 'string' ? value : undefined;
  };
  for (const name of Object.keys(query)) {
    const value = text(name) ?? '';
    const glanceName = FILTERS[name];
    if (name === 'changes-since') filters.set('updated_at', `gte:${value}`);
    else if (name.startsWith('property-')) filters.set(name.slice('property-'.length), value);
    else if (glanceName === undefined) continue;
    // `server` may be the server's URL: its last segment is the uuid; statuses are Glance's lower case.
    else if (name === 'server') filters.set(glanceName, value.split('/').at(-1) ?? '');
    else filters.set(glanceName, name === 'status' ? value.toLowerCase() : value);
  }
  const limitText = text('limit');
  const limit = limitText === undefined ? 0 : nonNegativeInteger('limit', limitText);
  const marker = text('marker');
  return { filters, ...(limit === 0 ? {} : { limit }), ...(marker === undefined ? {} : { marker }) };
}
