import type { FastifyPluginAsync } from 'fastify';
import type { MicroversionConfig } from './microversion-negotiation.js';

/** The fault body shape a service answers errors with (each OpenStack project has its own). */
export type FaultFormat = 'nova' | 'keystone' | 'glance' | 'neutron' | 'cinder';

/**
 * One service's REST API as the HTTP listener hosts it: an encapsulated Fastify plugin mounted
 * under `prefix` (DevStack's /identity, /compute, /image, /volume, /network), whose errors,
 * unknown paths and wrong methods are answered in the service's own fault format.
 */
export interface ApiService {
  /** Service type as the catalog names it: identity, compute, image, volume, network. */
  readonly name: string;
  /** Path prefix, starting with a slash and without a trailing one: `/compute`. */
  readonly prefix: `/${string}`;
  readonly faultFormat: FaultFormat;
  /** Headers that repeat the request id besides X-OpenStack-Request-ID (Nova's x-compute-request-id). */
  readonly requestIdHeaders?: readonly string[];
  /** Turns on microversion negotiation; handlers then read `request.microversion`. */
  readonly microversions?: MicroversionConfig;
  /**
   * The service's routes, registered relative to `prefix`. Write them as a
   * `FastifyPluginAsyncTypebox` so route schemas type `request.body`, `query` and `params`.
   */
  readonly routes: FastifyPluginAsync;
}
