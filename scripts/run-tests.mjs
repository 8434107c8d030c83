#!/usr/bin/env node
// `npm test`: type-check and build, lint, then every *.test.js under dist/ with node's runner,
// except the slow failure tests of dist/test/faults/ (each starts a private server of its own, for
// tens of seconds). Runner arguments after `--` narrow the files: `npm test -- dist/src/common/bus`.
//   --faults       (`npm run test:faults`) only the failure tests: FAILURE_TESTS and dist/test/faults/
//   --with-faults  (CI, .ci/run) every test, dist/test/faults/ too, in this one run: none twice
//   --with-ratchet (CI, .ci/run) the Tempest ratchet (docs/TEMPEST.md) beside the tests, once the
//                  build is done: its clouds are mostly idle (Tempest's own sleeps), and one after the
//                  other the two came near CI's 60 minutes
//   --list         prints the files the other arguments select (as last built) and runs nothing
// NIMBUS_TEST_TIMES=FILE writes each test file's time there (scripts/test-file-times.mjs).
import { execFileSync, spawn } from 'node:child_process';
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

const flags = new Set(process.argv.slice(2).filter((arg) => arg.startsWith('--')));
const selected = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

if (!flags.has('--list')) try {
  step('type-check and build (tsc)', bin('tsc'), ['-p', 'tsconfig.json']);
  step('type-check the dashboard app (tsc, DOM)', bin('tsc'), ['-p', join('src', 'dashboard', 'app', 'tsconfig.json')]);
  step('build the dashboard (vite)', process.execPath, [join(root, 'scripts', 'build-dashboard.mjs'), '--if-stale']);
  step('lint (eslint)', bin('eslint'), ['.']);
} catch {
  process.exit(1);
}

const SLOW_FAULTS = join(root, 'dist', 'test', 'faults');
/**
 * Issue 18's failure handling that runs in `npm test` too: what a crash, a restart or an outage of
 * a process, the broker or the database does (docs/FAULTS.md), and the units it rests on.
 */
const FAILURE_TESTS = [
  'dist/src/common/bus/amqp/reconnect.test.js',
  'dist/src/common/db/outage-guard.test.js',
  'dist/src/compute/conductor-recovery.workers.test.js',
  'dist/src/compute/fault-injection.workers.test.js',
  'dist/test/integration/api-nodes-behind-haproxy.test.js',
  'dist/test/integration/fault-injection-scaled-out.test.js',
  'dist/test/integration/instance-store-full.test.js',
  'dist/test/integration/scaled-out-broker-outage.test.js',
  'dist/test/integration/scaled-out-compute-host-down.test.js',
  'dist/test/integration/scaled-out-conductor-killed.test.js',
  'dist/test/integration/scaled-out-database-outage.test.js',
].map((path) => join(root, path));

const everything = () => testFiles(join(root, 'dist'));
const files = (
  selected.length > 0
    ? selected.flatMap((p) => testFiles(p))
    : flags.has('--faults')
      ? [...FAILURE_TESTS.filter((path) => existsSync(path)), ...testFiles(SLOW_FAULTS)]
      : flags.has('--with-faults')
        ? everything()
        : everything().filter((path) => !path.startsWith(SLOW_FAULTS))
).sort();
const missing = FAILURE_TESTS.filter((path) => !existsSync(path));
if (flags.has('--faults') && missing.length > 0) {
  // A renamed failure test must be renamed here too, or the selection silently shrinks.
  process.stderr.write(`failure tests listed in scripts/run-tests.mjs but not built: ${missing.join(', ')}\n`);
  process.exit(1);
}
if (flags.has('--list')) {
  process.stdout.write(files.map((path) => `${path}\n`).join(''));
  process.exit(0);
}
if (files.length === 0) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
process.stdout.write(`== tests (${files.length} files)\n`);
// A file of real-guest CLI tests runs for minutes on a busy machine (every boot now also waits for
// its ports to be wired); the timeout only catches a hang.
const exitOf = (child) => new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
const ratchet = flags.has('--with-ratchet')
  ? exitOf(spawn(join(root, 'scripts', 'tempest', 'run-tempest.sh'), ['--ratchet'], { cwd: root, stdio: 'inherit' }))
  : Promise.resolve(0);
const timesFile = process.env['NIMBUS_TEST_TIMES'];
const reporters = timesFile
  ? ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${join(root, 'scripts', 'test-file-times.mjs')}`, `--test-reporter-destination=${timesFile}`]
  : ['--test-reporter=spec'];
const tests = exitOf(
  spawn(process.execPath, ['--test', ...reporters, '--test-concurrency=2', '--test-timeout=900000', ...files], {
    cwd: root,
    stdio: 'inherit',
  }),
);
const [testStatus, ratchetStatus] = await Promise.all([tests, ratchet]);
if (ratchetStatus !== 0) process.stderr.write(`the Tempest ratchet failed (exit ${ratchetStatus})\n`);
process.exit(testStatus !== 0 ? testStatus : ratchetStatus);
