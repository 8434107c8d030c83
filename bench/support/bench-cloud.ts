import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseOpenrc } from '../../test/support/openstack-cli.js';
import { issuePasswordToken } from '../../test/support/password-token.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The `./nimbus` launcher users run (its set-up check, then the CLI). */
export const LAUNCHER = fileURLToPath(new URL('../../../nimbus', import.meta.url));
/** Node flags for the cloud process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile what a bench drives. */
export const BENCH_NODE_ARGS = (process.env['NIMBUS_BENCH_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');

/** A real `nimbus up` in a child process on a fresh state dir, as the benches measure it. */
export interface BenchCloud {
  readonly stateDir: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The bootstrapped admin's password (from the admin-openrc `nimbus up` wrote). */
  readonly adminPassword: string;
  /** A fresh admin token. */
  adminToken(): Promise<string>;
  /** Stops the cloud and removes its state dir (unless the caller gave it). */
  stop(): Promise<void>;
}

export interface BenchCloudOptions {
  /** A state dir to (re)use, which stop() leaves in place; default a fresh one. */
  readonly stateDir?: string;
  /** Start through the `./nimbus` launcher, as a user does, rather than node and the built CLI. */
  readonly viaLauncher?: boolean;
}

/** A cloud just spawned: its pid at once, the cloud when it says it is running. */
export interface LaunchedBenchCloud {
  readonly pid: number;
  readonly running: Promise<BenchCloud>;
}

/** Spawns the cloud (callers time from the call). `NIMBUS_BENCH_NODE_ARGS` does not reach one started via the launcher. */
export function launchBenchCloud(
  port: number,
  name: string,
  extraArgs: readonly string[] = [],
  options: BenchCloudOptions = {},
): LaunchedBenchCloud {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), `nimbus-bench-${name}-`));
  const upArgs = ['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', ...extraArgs];
  const [command, args] = options.viaLauncher ? [LAUNCHER, upArgs] : [process.execPath, [...BENCH_NODE_ARGS, CLI, ...upArgs]];
  const child = spawn(command, args, {
    // Nova's metadata port (8775) is one per host: a bench beside another cloud takes any free one.
    env: { ...process.env, NIMBUS_CONFIG: '/dev/null', NIMBUS_API_METADATA_LISTEN_PORT: '0' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { pid: child.pid ?? 0, running: whenRunning(child, port, stateDir, options) };
}

export function startBenchCloud(port: number, name: string, extraArgs: readonly string[] = [], options: BenchCloudOptions = {}): Promise<BenchCloud> {
  return launchBenchCloud(port, name, extraArgs, options).running;
}

async function whenRunning(child: ChildProcessByStdio<null, Readable, null>, port: number, stateDir: string, options: BenchCloudOptions): Promise<BenchCloud> {
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('is running') && resolve());
    child.once('exit', (code) => {
      if (options.stateDir === undefined) rmSync(stateDir, { recursive: true, force: true });
      reject(new Error(`nimbus up exited ${code}`));
    });
  });
  const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  const url = `http://127.0.0.1:${port}`;
  return {
    stateDir,
    pid: child.pid ?? 0,
    url,
    adminPassword: admin['OS_PASSWORD'] ?? '',
    async adminToken() {
      return (await issuePasswordToken(url, admin)).token;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      if (options.stateDir === undefined) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
