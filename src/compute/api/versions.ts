import type { FastifyPluginAsync } from 'fastify';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';

/** Highest and lowest compute microversions really implemented; the SDK caps its requests at the max. */
export const COMPUTE_MIN_VERSION = '2.1';
export const COMPUTE_MAX_VERSION = '2.93';

/** Nova's VERSIONS table: v2.0 (the legacy API, served as v2.1 is, without microversions) and v2.1. */
const VERSIONS = [
  { id: 'v2.0', path: 'v2', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z', mediaType: '2' },
  { id: 'v2.1', path: 'v2.1', status: 'CURRENT', version: COMPUTE_MAX_VERSION, min_version: COMPUTE_MIN_VERSION, updated: '2013-07-23T11:33:21Z', mediaType: '2.1' },
] as const;
type VersionRow = (typeof VERSIONS)[number];

function listEntry(base: string, { id, path, status, version, min_version, updated }: VersionRow) {
  return { id, status, version, min_version, updated, links: [{ rel: 'self', href: `${base}/compute/${path}/` }] };
}

/** Nova's build_version: the entry with its describedby link and media type, under the version's own self link. */
function versionDocument(base: string, row: VersionRow) {
  return {
    version: {
      ...listEntry(base, row),
      links: [
        { rel: 'self', href: `${base}/compute/${row.path}/` },
        { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
      ],
      'media-types': [{ base: 'application/json', type: `application/vnd.openstack.compute+json;version=${row.mediaType}` }],
    },
  };
}

/** Nova's discovery documents: the list at the root (200), each version's own at /v2 and /v2.1. */
export function computeVersionRoutes(deps: Pick<ApiServiceDeps, 'publicUrl'>): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true } }, async () => ({ versions: VERSIONS.map((row) => listEntry(deps.publicUrl, row)) }));
    for (const row of VERSIONS) {
      const single = async () => versionDocument(deps.publicUrl, row);
      app.get(`/${row.path}`, { config: { public: true } }, single);
      app.get(`/${row.path}/`, { config: { public: true } }, single);
    }
  };
}
