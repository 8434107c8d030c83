/**
 * One qemu-storage-daemon serving one export over NBD with TLS-PSK: its command line (a pure
 * function), starting it (`--daemonize` returns once it listens, or fails with QEMU's reason),
 * finding it again by its pid file, and ending it. The key is read from `<dir>/keys.psk`, never
 * from the command line, so no listing of processes shows it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable } from '../../../common/process/find-executable.js';
import { runCommand } from '../../../common/process/run-command.js';

export interface DaemonSpec {
  /** The export's own directory: keys.psk (the server's PSK file) and the pid file. */
  readonly dir: string;
  /** The volume's bytes. */
  readonly path: string;
  readonly address: string;
  readonly port: number;
  readonly exportName: string;
  readonly readOnly: boolean;
}

/** QEMU's option syntax: commas inside a value are doubled. */
const value = (text: string) => text.replaceAll(',', ',,');

export const pidFileOf = (dir: string) => join(dir, 'pid');

/**
 * The daemon's command line. It opens the volume without QEMU's image locks: like an iSCSI
 * target, it stands for the storage another host reaches, and which host writes is the volume's
 * attachments' to say. A guest live-migrating between the volume's host (which opens the file
 * itself, locked against other writers) and a host reached over NBD needs the export while the
 * guest holds the file, and the file back while the export runs; QEMU's migration hands the
 * writer over (the source lets go of its disks before the destination takes them).
 */
export function storageDaemonArgv(spec: DaemonSpec): string[] {
  const readOnly = spec.readOnly ? ',read-only=on' : '';
  return [
    '--object',
    `tls-creds-psk,id=tls0,endpoint=server,dir=${value(spec.dir)}`,
    '--blockdev',
    `driver=file,node-name=volume,filename=${value(spec.path)},locking=off${readOnly}`,
    '--nbd-server',
    `addr.type=inet,addr.host=${value(spec.address)},addr.port=${spec.port},tls-creds=tls0`,
    '--export',
    `type=nbd,id=export0,node-name=volume,name=${value(spec.exportName)},writable=${spec.readOnly ? 'off' : 'on'}`,
    '--pidfile',
    pidFileOf(spec.dir),
    '--daemonize',
  ];
}

export function storageDaemonBinary(): string | undefined {
  return findExecutable('qemu-storage-daemon');
}

/** Raised when the port is taken: the caller tries the next one. */
export class PortInUse extends Error {}

/** Starts the daemon; resolves once it serves the export (QEMU's --daemonize waits for that). */
export async function startStorageDaemon(binary: string, spec: DaemonSpec): Promise<number> {
  try {
    await runCommand(binary, storageDaemonArgv(spec));
  } catch (error) {
    if (/Address already in use/.test((error as Error).message)) throw new PortInUse(`port ${spec.port} is in use`, { cause: error });
    throw error;
  }
  const pid = await runningDaemon(spec.dir);
  if (pid === undefined) throw new Error(`qemu-storage-daemon for ${spec.exportName} exited at once`);
  return pid;
}

/** The pid of the daemon serving from `dir`, if it runs: its pid file names a process whose command line names that pid file. */
export async function runningDaemon(dir: string): Promise<number | undefined> {
  const pidFile = pidFileOf(dir);
  let pid: number;
  try {
    pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argv.includes(pidFile) ? pid : undefined;
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM (QEMU closes its clients' connections and exits), SIGKILL after 5 s; resolves once the process is gone. */
export async function stopStorageDaemon(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; alive(pid); waited += 50) {
    if (waited === 5000) process.kill(pid, 'SIGKILL');
    if (waited === 10_000) throw new Error(`qemu-storage-daemon ${pid} does not end`);
    await sleep(50);
  }
}

/** Pids of the qemu-storage-daemons whose pid file lies under `directory` (a record may be gone while its daemon runs on). */
export function daemonsUnder(directory: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const pidFile = argv[argv.indexOf('--pidfile') + 1] ?? '';
        return (argv[0] ?? '').endsWith('qemu-storage-daemon') && pidFile.startsWith(`${directory}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
