#!/usr/bin/env node
// Builds the dashboard's single-page app (src/dashboard/app) with Vite into dist/dashboard, which
// the cloud serves at /dashboard. `--if-stale` skips the build when it is newer than its sources.
// Run by `npm test` and (through ensure-setup --build) by `./nimbus`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mtime, newestUnder } from './lib/mtime.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const appDir = join(root, 'src', 'dashboard', 'app');
const outDir = join(root, 'dist', 'dashboard');

export function dashboardIsStale() {
  const sources = Math.max(newestUnder(appDir), mtime(join(root, 'package-lock.json')), mtime(fileURLToPath(import.meta.url)));
  return mtime(join(outDir, 'index.html')) < sources;
}

export async function buildDashboard() {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: appDir,
    base: '/dashboard/',
    logLevel: 'warn',
    // Vite's own cache stays inside dist/, not under src/.
    cacheDir: join(root, 'dist', '.vite-cache'),
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
      // Browsers the dashboard targets preload modules themselves: no polyfill chunk on the first load.
      modulePreload: { polyfill: false },
      // Two pages: the app, and the console page console URLs open (the console proxy serves it at /novnc).
      rollupOptions: { input: { index: join(appDir, 'index.html'), vnc_lite: join(appDir, 'vnc_lite.html') } },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--if-stale') || dashboardIsStale()) {
    process.stderr.write('nimbus setup: building the dashboard (vite)\n');
    await buildDashboard();
  }
}
