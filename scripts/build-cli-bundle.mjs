#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js) and the npm packages it loads into a few dozen
// files under dist/cli, which `./nimbus` runs: Node 20 then loads those instead of ~1,500 modules,
// a second less CPU before a warm `nimbus up` answers. Commands and drivers loaded with import()
// stay chunks of their own, loaded when asked for. Tests keep running the unbundled dist/ files.
// Run (through ensure-setup --build) by `./nimbus` when the build is newer than the bundle.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mtime } from './lib/mtime.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const compiledDir = join(root, 'dist', 'src');
const outDir = join(root, 'dist', 'cli');
export const CLI_BUNDLE = join(outDir, 'main.js');

/** Packages left to node_modules: native addons, which find their binary relative to their own files. */
const EXTERNAL = ['better-sqlite3'];

export function cliBundleIsStale() {
  const sources = Math.max(mtime(join(root, 'dist', '.tsbuildinfo')), mtime(join(root, 'package-lock.json')), mtime(fileURLToPath(import.meta.url)));
  return mtime(CLI_BUNDLE) < sources;
}

/**
 * Each compiled module read with tsc's source map (so the bundle's map leads stack traces to
 * src/*.ts) and with its `import.meta.url` pointing at its own file in dist/src, not at the
 * chunk: paths it resolves from there (the dashboard's build, the guest image's script) stay right.
 */
const compiledModules = {
  name: 'nimbus-compiled-modules',
  load(id) {
    if (!id.startsWith(compiledDir + '/') || !id.endsWith('.js')) return null;
    const ownUrl = `new URL(${JSON.stringify(relative(outDir, id))}, import.meta.url).href`;
    const code = readFileSync(id, 'utf8').replaceAll('import.meta.url', ownUrl);
    const mapFile = `${id}.map`;
    return existsSync(mapFile) ? { code, map: readFileSync(mapFile, 'utf8') } : { code };
  },
};

export async function buildCliBundle() {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({
    input: { main: join(compiledDir, 'cli', 'main.js') },
    platform: 'node',
    external: EXTERNAL,
    plugins: [compiledModules],
    logLevel: 'warn',
  });
  try {
    await bundle.write({
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      sourcemap: true,
      // Stack traces name src/*.ts files; their text stays in src/, not copied into the map.
      sourcemapExcludeSources: true,
      cleanDir: true,
    });
  } finally {
    await bundle.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--if-stale') || cliBundleIsStale()) {
    process.stderr.write('nimbus setup: bundling the CLI (rolldown)\n');
    await buildCliBundle();
  }
}
