/**
 * The image service's public face: what other services (compute's image proxy, its agents and
 * snapshots) may use of it. Image's own code imports its modules directly.
 */
export { imageTarget } from './api/routes/route-deps.js';
export { BASE_ATTRIBUTES, READ_ONLY_ATTRIBUTES, isReservedProperty, type ImageRef, type ImageStatus } from './images/image.js';
export type { ImageService, SnapshotSpec } from './images/image-service.js';
export type { PatchChange } from './images/json-patch.js';
export { MAX_LIMIT, parseListQuery } from './images/list-query.js';
