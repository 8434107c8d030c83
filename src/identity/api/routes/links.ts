import type { FastifyRequest } from 'fastify';

/** The absolute URL of a v3 path, as Keystone's `links.self`. */
export function v3Url(publicUrl: string, path: string): string {
  return `${publicUrl}/identity/v3${path}`;
}

/** A collection's links: itself (with its query string) and no paging. */
export function collectionLinks(publicUrl: string, request: FastifyRequest): { self: string; previous: null; next: null } {
  return { self: `${publicUrl}${request.url}`, previous: null, next: null };
}

/**
 * A query flag as Keystone reads it: present and not `0`/`false` is true (so `?effective`
 * alone counts), absent is undefined.
 */
export function queryFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return !['0', 'false', 'False', 'FALSE'].includes(value);
}
