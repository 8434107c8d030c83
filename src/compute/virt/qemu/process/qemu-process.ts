/**
 * Starting and ending one QEMU process. QEMU runs detached from the agent (its own session, its
 * stderr to a file), so guests survive an agent restart and the Ctrl-C that stops `nimbus up`; the
 * QMP socket is how the agent finds it again, and whether that socket answers is whether the
 * guest's QEMU is alive.
 */
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnInOwnSession, startsAgain } from '../../../../common/process/own-session.js';
import { buildQemuArgv } from '../argv/build-argv.js';
import type { VmDefinition, VmLaunch } from '../argv/vm-definition.js';
import type { InstanceDir } from '../instance/instance-dir.js';
import { QmpDisconnected, QmpMonitor, qmp } from '../qmp/index.js';

const START_TIMEOUT_MS = 30_000;
const QUIT_TIMEOUT_MS = 10_000;
const ATTACH_TIMEOUT_MS = 5_000;

/** QEMU exited (or never answered) while starting; the message carries its stderr. */
export class QemuStartFailed extends Error {}

async function stderrOf(dir: InstanceDir): Promise<string> {
  const text = await readFile(dir.stderrLog, 'utf8').catch(() => '');
  return text.trim() === '' ? '(no output on stderr)' : text.trim();
}

/** How a QEMU ended before QMP answered: the reason for the message, the signal for a new start. */
interface Exit {
  readonly reason: string;
  readonly signal: NodeJS.Signals | null;
}

/** Starts QEMU for `definition` and returns its monitor once QMP answers. */
export async function startQemu(binary: string, dir: InstanceDir, definition: VmDefinition, launch: VmLaunch): Promise<QmpMonitor> {
  for (let starts = 1; ; starts += 1) {
    const outcome = await startOnce(binary, dir, definition, launch);
    if ('monitor' in outcome) return outcome.monitor;
    if (startsAgain(outcome.signal, starts)) continue;
    throw new QemuStartFailed(`QEMU failed to start (${outcome.reason}): ${await stderrOf(dir)}`);
  }
}

async function startOnce(binary: string, dir: InstanceDir, definition: VmDefinition, launch: VmLaunch): Promise<{ readonly monitor: QmpMonitor } | Exit> {
  await Promise.all([dir.qmpSocket, dir.consoleSocket, dir.vncSocket, dir.pidFile].map((path) => rm(path, { force: true })));
  const stderr = openSync(dir.stderrLog, 'w');
  let exited: Promise<Exit>;
  try {
    const child = spawnInOwnSession(binary, buildQemuArgv(definition, dir, launch), { cwd: dir.runtime, stdio: ['ignore', 'ignore', stderr] });
    exited = new Promise((resolve) => {
      child.once('error', (error) => resolve({ reason: error.message, signal: null }));
      child.once('exit', (code, signal) => resolve({ reason: signal === null ? `exit status ${String(code)}` : `signal ${signal}`, signal }));
    });
    child.unref();
  } finally {
    closeSync(stderr);
  }
  const gone = new AbortController();
  void exited.then(() => gone.abort());
  const connected = QmpMonitor.connect(dir.qmpSocket, { timeoutMs: START_TIMEOUT_MS, signal: gone.signal });
  const outcome = await Promise.race([
    connected.then(
      (monitor) => ({ monitor }),
      (error: unknown) => ({ error }),
    ),
    exited,
  ]);
  if ('monitor' in outcome) return outcome;
  void connected.catch(() => undefined);
  if ('reason' in outcome) return outcome;
  // A QEMU that dies on its configuration may reset the first connection before its exit is seen.
  const exit = await Promise.race([exited, sleep(1000).then(() => undefined)]);
  if (exit === undefined) throw outcome.error;
  return exit;
}

/** The running QEMU's monitor, or undefined when none answers on the socket (never started, exited, killed). */
export async function attachQemu(dir: InstanceDir): Promise<QmpMonitor | undefined> {
  try {
    return await QmpMonitor.connect(dir.qmpSocket, { timeoutMs: ATTACH_TIMEOUT_MS, waitForSocket: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A QEMU exiting while we connect resets the connection: it is as gone as one never started.
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || error instanceof QmpDisconnected) return undefined;
    throw error;
  }
}

/** The pid QEMU wrote at start; it may be stale once that QEMU is gone. */
export async function pidOf(dir: InstanceDir): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(dir.pidFile, 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Ends QEMU at once (`quit`, then SIGKILL if it does not go) and waits until it is gone. */
export async function killQemu(dir: InstanceDir, monitor: QmpMonitor | undefined): Promise<void> {
  // Read first: QEMU removes its pid file as it exits.
  const pid = await pidOf(dir);
  if (monitor !== undefined && monitor.connected) {
    await qmp.quit(monitor).catch(() => undefined);
    const closed = await Promise.race([monitor.closed.then(() => true), sleep(QUIT_TIMEOUT_MS).then(() => false)]);
    // The monitor's socket closes a moment before the process has ended.
    if (closed && (pid === undefined || (await endsWithin(dir, pid, QUIT_TIMEOUT_MS)))) return;
  }
  if (pid === undefined || !(await isQemuOf(dir, pid))) return;
  process.kill(pid, 'SIGKILL');
  await endsWithin(dir, pid, Number.POSITIVE_INFINITY);
}

/** Whether `pid` is this instance's QEMU: the pid file may be stale and its number reused. */
async function isQemuOf(dir: InstanceDir, pid: number): Promise<boolean> {
  // A killed child of this process is a zombie (empty cmdline) until reaped: that counts as gone.
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(dir.qmpSocket);
}

async function endsWithin(dir: InstanceDir, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isQemuOf(dir, pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
