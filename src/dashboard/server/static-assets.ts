import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One built file, read once, with the headers it is served with. */
export interface StaticAsset {
  readonly body: Buffer;
  /** The body gzipped once at load, for browsers that accept it (text files only). */
  readonly gzipped?: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Vite names bundle files by content hash under assets/: they never change, so browsers keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current bundle: revalidate it every time. */
const REVALIDATE = 'no-cache';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file of a built site keyed by its URL path relative to the site (`assets/index-abc.js`). */
export function loadStaticAssets(dir: string): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const path of filesUnder(dir)) {
    const key = relative(dir, path).split(sep).join('/');
    const body = readFileSync(path);
    const contentType = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
    const compressible = /^text\/|javascript|json|svg/.test(contentType);
    assets.set(key, {
      body,
      ...(compressible ? { gzipped: gzipSync(body, { level: 9 }) } : {}),
      contentType,
      cacheControl: key.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  return assets;
}
