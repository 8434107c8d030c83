/**
 * Start-up figures, each the p50 of a few runs timed from launching `./nimbus` (its set-up check
 * included, the build current): `nimbus help` until it exits; `nimbus up` on the fake driver until
 * /identity/v3 first answers 200, on a fresh state dir and on one a previous run set up; and on a
 * fresh state dir until a first server is ACTIVE (the admin's token, a small image upload and the
 * boot included, as a newcomer's first steps). The machine's load average is printed beside them:
 * on a shared machine start-up times move with it. NIMBUS_BENCH_RUNS sets the runs (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAUNCHER, startBenchCloud, type BenchCloud, type BenchCloudOptions } from './support/bench-cloud.js';
import { apiFor, bootToActive, uploadImage } from './support/compute-api.js';

const RUNS = Number(process.env['NIMBUS_BENCH_RUNS'] ?? 5);
/** How often a starting cloud is asked whether it answers yet. */
const POLL_MS = 5;

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0);
}

/** Runs `operation` RUNS times, one after another, and reports the p50 and every run in ms. */
async function p50Of(operation: () => Promise<number>): Promise<{ p50_ms: number; runs_ms: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(Math.round(await operation()));
  return { p50_ms: median(runs), runs_ms: runs };
}

/** A port nothing listens on now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port from the kernel');
  return address.port;
}

async function helpMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(LAUNCHER, ['help'], { stdio: 'ignore' });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`nimbus help exited ${String(code)}`);
  return performance.now() - started;
}

/** Resolves when GET `url` first answers 200 (refused connections while the process starts). */
async function firstOk(url: string, cloud: Promise<BenchCloud>): Promise<void> {
  let failed: Error | undefined;
  cloud.catch((error: unknown) => (failed = error instanceof Error ? error : new Error(String(error))));
  while (failed === undefined) {
    const status = await fetch(url).then(
      async (response) => (await response.arrayBuffer(), response.status),
      () => 0,
    );
    if (status === 200) return;
    await sleep(POLL_MS);
  }
  throw failed;
}

/** `nimbus up` until the identity API answers, then stopped. */
async function upToIdentityMs(options: BenchCloudOptions): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const cloud = startBenchCloud(port, 'startup', [], { ...options, viaLauncher: true });
  await firstOk(`http://127.0.0.1:${port}/identity/v3`, cloud);
  const elapsed = performance.now() - started;
  await (await cloud).stop();
  return elapsed;
}

/** `nimbus up` on a fresh state dir until a first server is ACTIVE, then stopped. */
async function upToServerActiveMs(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const cloud = await startBenchCloud(port, 'startup', [], { viaLauncher: true });
  try {
    const api = await apiFor(cloud);
    await bootToActive(api, await uploadImage(cloud, api), 'first');
    return performance.now() - started;
  } finally {
    await cloud.stop();
  }
}

/** Runs on a state dir the first of them sets up: the restart figure, without the first run. */
async function restartToIdentity(): Promise<{ p50_ms: number; runs_ms: number[] }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-startup-restart-'));
  try {
    await upToIdentityMs({ stateDir });
    return await p50Of(() => upToIdentityMs({ stateDir }));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await helpMs(); // a stale build is rebuilt here, outside the figures
  const loadBefore = loadavg();
  const figures = {
    bench: 'startup',
    runs: RUNS,
    cpus: cpus().length,
    load_average_before: loadBefore.map((load) => Math.round(load * 100) / 100),
    help: await p50Of(helpMs),
    up_fresh_state_to_identity_200: await p50Of(() => upToIdentityMs({})),
    up_restart_to_identity_200: await restartToIdentity(),
    up_fresh_state_to_first_server_active: await p50Of(upToServerActiveMs),
    load_average_after: loadavg().map((load) => Math.round(load * 100) / 100),
  };
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}

await main();
