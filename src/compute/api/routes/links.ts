/** Nova's link shapes: self under the versioned root, bookmark under the unversioned one. */
export interface NovaLink {
  readonly rel: 'self' | 'bookmark' | 'next';
  readonly href: string;
}

export function resourceLinks(publicUrl: string, collection: string, id: string): NovaLink[] {
  const encoded = encodeURIComponent(id);
  return [
    { rel: 'self', href: `${publicUrl}/compute/v2.1/${collection}/${encoded}` },
    { rel: 'bookmark', href: `${publicUrl}/compute/${collection}/${encoded}` },
  ];
}

/**
 * The `next` link of a page, as Nova's _get_collection_links: present when the page is full (as
 * many items as `limit`, or the max limit), carrying the request's parameters sorted by name and
 * `marker` (last) set to the last item's id.
 */
export function nextLinks(
  publicUrl: string,
  path: string,
  query: Readonly<Record<string, unknown>>,
  page: { readonly count: number; readonly limit: number; readonly lastId: string | undefined },
): NovaLink[] {
  if (page.count === 0 || page.count !== page.limit || page.lastId === undefined) return [];
  const params = new URLSearchParams();
  for (const name of Object.keys(query).sort()) {
    const value = query[name];
    if (name === 'marker' || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  params.append('marker', page.lastId);
  return [{ rel: 'next', href: `${publicUrl}/compute/v2.1/${path}?${params.toString()}` }];
}
