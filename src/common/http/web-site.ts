import type { FastifyPluginAsync } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Takes over an HTTP Upgrade request (a websocket) under the site's prefix: it answers on the socket itself. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

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
  /** Websockets under the prefix (the console proxy's); without it an upgrade there is a 404. */
  readonly upgrade?: UpgradeHandler;
}
