/**
 * The daemons the data path leaves running in namespaces (dnsmasq, the metadata proxies): each
 * writes a pid file and is found again through it, so it outlives an agent restart. A pid counts
 * only while its command line still names `marker` (the daemon's own file), never a recycled pid.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_TIMEOUT_MS = 5000;

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** The daemon's pid, if it runs: the pid file's process, if its command line holds `marker`. */
export async function runningPid(pidFile: string, marker: string): Promise<number | undefined> {
  const pid = Number((await readText(pidFile))?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readText(`/proc/${pid}/cmdline`);
  return cmdline?.split('\0').includes(marker) === true ? pid : undefined;
}

/** False when the process has ended already. */
function signalled(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** SIGTERM, then SIGKILL if it has not ended after a while; nothing when it does not run. */
export async function stopDaemon(pidFile: string, marker: string): Promise<void> {
  const pid = await runningPid(pidFile, marker);
  if (pid === undefined) return;
  // It may end on its own meanwhile: under a service manager's stop, a signal to every process of the unit reaches it too.
  if (!signalled(pid, 'SIGTERM')) return;
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while ((await runningPid(pidFile, marker)) !== undefined) {
    if (Date.now() > deadline) {
      signalled(pid, 'SIGKILL');
      break;
    }
    await sleep(20);
  }
}
