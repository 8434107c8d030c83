#!/usr/bin/env node
// `npm test`: type-check and build, lint, then every *.test.js under dist/ with node's runner.
// Runner arguments after `--` narrow the files: `npm test -- dist/src/common/bus`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);

function step(title, command, args) {
  process.stdout.write(`== ${title}\n`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

try {
  step('type-check and build (tsc)', bin('tsc'), ['-p', 'tsconfig.json']);
  step('type-check the dashboard app (tsc, DOM)', bin('tsc'), ['-p', join('src', 'dashboard', 'app', 'tsconfig.json')]);
  step('build the dashboard (vite)', process.execPath, [join(root, 'scripts', 'build-dashboard.mjs'), '--if-stale']);
  step('lint (eslint)', bin('eslint'), ['.']);
} catch {
  process.exit(1);
}

const selected = process.argv.slice(2);
const files = (selected.length > 0 ? selected : [join(root, 'dist')]).flatMap((p) => testFiles(p)).sort();
if (files.length === 0) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
process.stdout.write(`== tests (${files.length} files)\n`);
// A file of real-guest CLI tests runs for minutes on a busy machine (every boot now also waits for
// its ports to be wired); the timeout only catches a hang.
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=900000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
