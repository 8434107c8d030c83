/**
 * A MariaDB server of a test's own: mariadb-install-db into a temporary directory (in memory where
 * /dev/shm exists), mariadbd on a free loopback port with its socket in that directory (root
 * without a password), that the test may kill (-9, as a crash) and start again without touching
 * the machine's shared server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import type { PrivateDatabaseServer } from './private-database.js';

const run = promisify(execFile);
/** How long a start (crash recovery included) may take before the test fails. */
const START_TIMEOUT_MS = 30_000;
/** Memory-backed where there is one: the server's data need not survive the test, and installing it on disk took four times as long. */
const PARENT_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** The first of `candidates` that exists (MariaDB's names, then MySQL's compatible ones). */
function installed(candidates: readonly string[]): string | undefined {
  return candidates.find((path) => existsSync(path));
}

const SERVER = installed(['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/bin/mariadbd']);
const INSTALL_DB = installed(['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db']);
const CLIENT = installed(['/usr/bin/mariadb', '/usr/bin/mysql']);

/** Why a private server cannot be made here (pass as `skip`), or false. */
export function privateMariadbUnavailable(): string | false {
  if (SERVER === undefined || INSTALL_DB === undefined || CLIENT === undefined) {
    const reason = 'no MariaDB server, mariadb-install-db or client under /usr: private-server tests are SKIPPED';
    process.stderr.write(`\n*** ${reason}\n\n`);
    return reason;
  }
  return false;
}

export async function startPrivateMariadb(): Promise<PrivateDatabaseServer> {
  if (SERVER === undefined || INSTALL_DB === undefined || CLIENT === undefined) throw new Error('no MariaDB server binaries');
  const [server, client] = [SERVER, CLIENT];
  // mariadbd refuses to run as root unless told to.
  const asUser = userInfo().uid === 0 ? ['--user=root'] : [];
  const dir = mkdtempSync(join(PARENT_DIR, 'nimbus-mariadb-'));
  const data = join(dir, 'data');
  const errorLog = join(dir, 'server.log');
  const port = await freePort();
  const sql = (statement: string) =>
    run(client, ['--no-defaults', '--protocol=tcp', '-h', '127.0.0.1', '-P', String(port), '-u', 'root', '-e', statement]);
  /** No durability needed: no doublewrite, no log flush at commit; fsync rather than O_DIRECT, which tmpfs refuses. */
  const fast = ['--innodb-flush-method=fsync', '--innodb-doublewrite=0', '--innodb-flush-log-at-trx-commit=0', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M'];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const started = spawn(server, [
      '--no-defaults', ...asUser, `--datadir=${data}`, `--socket=${join(dir, 'sock')}`, `--port=${port}`,
      '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'pid')}`, `--log-error=${errorLog}`, '--skip-name-resolve',
      '--skip-log-bin', ...fast,
    ], { stdio: 'ignore' });
    child = started;
    let exited = false;
    started.once('exit', () => { exited = true; });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exited) throw new Error(`mariadbd exited at start: ${readFileSync(errorLog, 'utf8').slice(-2000)}`);
      if (await sql('select 1').then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`mariadbd did not accept connections within ${START_TIMEOUT_MS} ms`);
      await sleep(100);
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await run(INSTALL_DB, ['--no-defaults', ...asUser, `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...fast]);
    await start();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    adminUrl: `mysql://root@127.0.0.1:${port}/`,
    async createDatabase(name) {
      // A binary collation, as test/support/databases.ts makes, so text compares case-sensitively.
      await sql(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
      return `mysql://root@127.0.0.1:${port}/${name}`;
    },
    stop,
    start,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
