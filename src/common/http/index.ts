/**
 * The HTTP framework every service API is written against: one listener hosting each service
 * under its prefix, with OpenStack's request ids, access log, fault bodies, validation and
 * microversions. A service declares an {@link ApiService}; its routes are a
 * `FastifyPluginAsyncTypebox` whose TypeBox schemas are both the validation and the types.
 * @module
 */
export type { ApiService, FaultFormat } from './api-service.js';
export { buildHttpApp, type HttpAppOptions } from './app.js';
export type { WebSite } from './web-site.js';
export { Microversion, type MicroversionLike } from './microversion.js';
export type { MicroversionConfig } from './microversion-negotiation.js';
export { enterRequestContext } from './request-id.js';
export { bodyValidator, queryValidator } from './validation.js';
export { versioned, VersionedTable, type VersionRange } from './versioned.js';
