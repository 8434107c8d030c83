/**
 * Start-up figures, each the p50 of a few runs timed from launching `./nimbus` (its set-up check
 * included, the build current): `nimbus help` until it exits; `nimbus up` on the fake driver until
 * /identity/v3 first answers 200, on a fresh state dir and on one a previous run set up; and on a
 * fresh state dir until a first server is ACTIVE (the admin's token, a small image upload and the
 * boot included, as a newcomer's first steps). Beside each wall time, the CPU time the command's
 * process (and its set-up check) had used by then, steadier on a shared machine, and the machine's
 * load average, which wall times move with. NIMBUS_BENCH_RUNS sets the runs (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAUNCHER, launchBenchCloud, type BenchCloud, type BenchCloudOptions } from './support/bench-cloud.js';
import { apiFor, bootToActive, uploadImage } from './support/compute-api.js';
import { childrenCpuMsOf, cpuMsOf } from './support/process-stats.js';

const RUNS = Number(process.env['NIMBUS_BENCH_RUNS'] ?? 5);
/** How often a starting cloud is asked whether it answers yet. */
const POLL_MS = 5;

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0);
}

/** Runs `operation` RUNS times, one after another: p50 of wall and CPU time, and every run's wall time. */
async function p50Of(operation: () => Promise<Sample>) {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await operation());
  return {
    p50_ms: median(samples.map((sample) => sample.wallMs)),
    cpu_p50_ms: median(samples.map((sample) => sample.cpuMs)),
    runs_ms: samples.map((sample) => Math.round(sample.wallMs)),
  };
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

/** The process's CPU time so far with that of the children it waited for (the launcher's set-up check). */
const cpuWithChildrenOf = (pid: number) => cpuMsOf(pid) + childrenCpuMsOf(pid);

async function help(): Promise<Sample> {
  const childrenBefore = childrenCpuMsOf(process.pid);
  const started = performance.now();
  const child = spawn(LAUNCHER, ['help'], { stdio: 'ignore' });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`nimbus help exited ${String(code)}`);
  return { wallMs: performance.now() - started, cpuMs: childrenCpuMsOf(process.pid) - childrenBefore };
}

/** True when something accepts a TCP connection on the port: far cheaper to ask than a failing fetch. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * Resolves when GET `path` first answers 200. Until the port accepts, the starting process is
 * asked with bare connects: failed fetches every few ms would take CPU from the start-up measured.
 */
async function firstOk(port: number, path: string, cloud: Promise<BenchCloud>): Promise<void> {
  let failed: Error | undefined;
  cloud.catch((error: unknown) => (failed = error instanceof Error ? error : new Error(String(error))));
  while (failed === undefined) {
    if (await accepts(port)) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    }
    await sleep(POLL_MS);
  }
  throw failed;
}

/** `nimbus up` until the identity API answers, then stopped. */
async function upToIdentity(options: BenchCloudOptions): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const cloud = launchBenchCloud(port, 'startup', [], { ...options, viaLauncher: true });
  await firstOk(port, '/identity/v3', cloud.running);
  const sample = { wallMs: performance.now() - started, cpuMs: cpuWithChildrenOf(cloud.pid) };
  await (await cloud.running).stop();
  return sample;
}

/** `nimbus up` on a fresh state dir until a first server is ACTIVE, then stopped. */
async function upToServerActive(): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const launched = launchBenchCloud(port, 'startup', [], { viaLauncher: true });
  const cloud = await launched.running;
  try {
    const api = await apiFor(cloud);
    await bootToActive(api, await uploadImage(cloud, api), 'first');
    return { wallMs: performance.now() - started, cpuMs: cpuWithChildrenOf(launched.pid) };
  } finally {
    await cloud.stop();
  }
}

/** Runs on a state dir the first of them sets up: the restart figure, without the first run. */
async function restartToIdentity() {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-startup-restart-'));
  try {
    await upToIdentity({ stateDir });
    return await p50Of(() => upToIdentity({ stateDir }));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const rounded = (loads: readonly number[]) => loads.map((load) => Math.round(load * 100) / 100);

async function main(): Promise<void> {
  await help(); // a stale build is rebuilt here, outside the figures
  const loadBefore = rounded(loadavg());
  const figures = {
    bench: 'startup',
    runs: RUNS,
    cpus: cpus().length,
    load_average_before: loadBefore,
    help: await p50Of(help),
    up_fresh_state_to_identity_200: await p50Of(() => upToIdentity({})),
    up_restart_to_identity_200: await restartToIdentity(),
    up_fresh_state_to_first_server_active: await p50Of(upToServerActive),
    load_average_after: rounded(loadavg()),
  };
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}

await main();
