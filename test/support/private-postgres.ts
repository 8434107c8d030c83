/**
 * A PostgreSQL cluster of a test's own: initdb into a temporary directory, a server on a free
 * loopback port with its socket in that directory, that the test may stop (`-m immediate`, as a
 * crash) and start again, or freeze (SIGSTOP: a hung host) and thaw, without touching the
 * machine's shared server. remove() stops it and deletes the directory; call it in a `finally`.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import type { PrivateDatabaseServer } from './private-database.js';

const run = promisify(execFile);
const VERSIONS_DIR = '/usr/lib/postgresql';
/** initdb and postgres refuse to run as root; the cluster then belongs to this user. */
const SERVER_USER = 'postgres';

export interface PrivatePostgres extends PrivateDatabaseServer {
  /**
   * SIGSTOP to the postmaster and every process it started: connections stay open and new ones are
   * accepted by the kernel, but nothing answers, as when the server's host hangs.
   */
  freeze(): Promise<void>;
  /** SIGCONT to them: what clients sent meanwhile is answered now. */
  thaw(): Promise<void>;
}

/** The newest installed server's bin directory, if any. */
function serverBinDir(): string | undefined {
  if (!existsSync(VERSIONS_DIR)) return undefined;
  const versions = readdirSync(VERSIONS_DIR)
    .filter((name) => existsSync(join(VERSIONS_DIR, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(VERSIONS_DIR, versions[0], 'bin');
}

/** Why a private cluster cannot be made here (pass as `skip`), or false. Printed loudly: a skip is never silent. */
export function privatePostgresUnavailable(): string | false {
  if (serverBinDir() !== undefined) return false;
  const reason = `no PostgreSQL server binaries under ${VERSIONS_DIR}: private-cluster tests are SKIPPED`;
  process.stderr.write(`\n*** ${reason}\n\n`);
  return reason;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = serverBinDir();
  if (bin === undefined) throw new Error(`no PostgreSQL server binaries under ${VERSIONS_DIR}`);
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync('/tmp/nimbus-pg-');
  const data = join(dir, 'data');
  const port = await freePort();
  const pgRun = async (tool: string, args: readonly string[]): Promise<void> => {
    const command = join(bin, tool);
    await (asRoot ? run('runuser', ['-u', SERVER_USER, '--', command, ...args]) : run(command, args));
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', SERVER_USER]);
    const { stdout: gid } = await run('id', ['-g', SERVER_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => pgRun('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let running = false;
  try {
    await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await start();
    running = true;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
  };
  /** The postmaster first (it forks no new backend once stopped), then its children as they are then. */
  const signalCluster = async (signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, signal);
    const { stdout } = await run('pgrep', ['-P', String(postmaster)]).catch(() => ({ stdout: '' }));
    for (const pid of stdout.split('\n').filter((line) => line.trim() !== '')) process.kill(Number(pid), signal);
  };
  let frozen = false;
  return {
    adminUrl,
    async freeze() {
      await signalCluster('SIGSTOP');
      frozen = true;
    },
    async thaw() {
      await signalCluster('SIGCONT');
      frozen = false;
    },
    async createDatabase(name) {
      await pgRun('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-q', '-c', `create database "${name}"`]);
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    async start() {
      await start();
      running = true;
    },
    async remove() {
      // A frozen server ignores pg_ctl's stop until it runs again.
      if (frozen) await signalCluster('SIGCONT').catch(() => undefined);
      if (running) await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
