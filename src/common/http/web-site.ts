import type { FastifyPluginAsync } from 'fastify';

/**
 * Browser pages the HTTP listener hosts beside the service APIs (the dashboard): an encapsulated
 * Fastify plugin mounted under `prefix`, answering with pages and files rather than API faults.
 */
export interface WebSite {
  readonly name: string;
  /** Path prefix, starting with a slash and without a trailing one: `/dashboard`. */
  readonly prefix: `/${string}`;
  /** The listener's root `/` redirects here (one site at most says so). */
  readonly home?: boolean;
  readonly routes: FastifyPluginAsync;
}
