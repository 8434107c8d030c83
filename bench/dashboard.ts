/**
 * Dashboard figures: the bytes of the first page load (index.html and every file it references),
 * raw and gzipped as the cloud serves them, from the Vite build in dist/dashboard (build it first:
 * `node scripts/build-dashboard.mjs`). Prints one JSON object on stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_BUILD_DIR } from '../src/dashboard/server/dashboard-site.js';

interface FileFigures {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

function figures(path: string): FileFigures {
  const body = readFileSync(join(DASHBOARD_BUILD_DIR, path));
  // Level 9, as the dashboard's server compresses them.
  return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
}

const html = readFileSync(join(DASHBOARD_BUILD_DIR, 'index.html'), 'utf8');
const referenced = [...html.matchAll(/(?:src|href)="\/dashboard\/([^"]+)"/g)].map((match) => match[1] ?? '');
const files = [figures('index.html'), ...referenced.map(figures)];
const total = (key: 'bytes' | 'gzipBytes') => files.reduce((sum, file) => sum + file[key], 0);

process.stdout.write(
  `${JSON.stringify({ benchmark: 'dashboard-first-load', files, totalBytes: total('bytes'), totalGzipBytes: total('gzipBytes') }, null, 2)}\n`,
);
