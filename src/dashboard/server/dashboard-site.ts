import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebSite } from '../../common/http/web-site.js';
import { getLogger } from '../../common/logging/logger.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';

const LOG = getLogger('nimbus.dashboard');

/** Where `scripts/build-dashboard.mjs` puts the Vite build (dist/dashboard, beside dist/src). */
export const DASHBOARD_BUILD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

/**
 * The dashboard: the prebuilt single-page app under /dashboard. It holds no logic of its own on the
 * server: the browser calls the public APIs with the user's token. Files are read on the first
 * request, not at start-up, and kept in memory (the whole build is a few hundred KiB).
 */
export function dashboardSite(buildDir: string = DASHBOARD_BUILD_DIR): WebSite {
  let assets: ReadonlyMap<string, StaticAsset> | undefined;
  let missingLogged = false;
  const assetsOnce = (): ReadonlyMap<string, StaticAsset> | undefined => {
    if (assets === undefined && existsSync(join(buildDir, 'index.html'))) assets = loadStaticAssets(buildDir);
    return assets;
  };
  return {
    name: 'dashboard',
    prefix: '/dashboard',
    home: true,
    routes: async (app) => {
      app.get<{ Params: { '*': string } }>('/*', async (request, reply) => {
        const built = assetsOnce();
        if (built === undefined) {
          if (!missingLogged) LOG.error(`Dashboard is not built (no ${join(buildDir, 'index.html')}): run \`node scripts/build-dashboard.mjs\``);
          missingLogged = true;
          return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `node scripts/build-dashboard.mjs`.\n');
        }
        const path = request.params['*'];
        // Pages route in the URL fragment, so anything that is not a built file is the app's page.
        const asset = built.get(path) ?? (path.startsWith('assets/') ? undefined : built.get('index.html'));
        if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
        reply.type(asset.contentType).header('cache-control', asset.cacheControl).header('x-content-type-options', 'nosniff').header('vary', 'accept-encoding');
        if (asset.gzipped !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
          return reply.header('content-encoding', 'gzip').send(asset.gzipped);
        }
        return reply.send(asset.body);
      });
    },
  };
}
