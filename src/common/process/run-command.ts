/**
 * The one way a host command runs to completion (qemu-img, ip, nft, cp…): an argv array (never a
 * shell string), optional stdin (`nft -f -`), in a session of its own (own-session.ts). Being out of
 * the process group, it would outlive a `nimbus up` that exits while it runs (a third Ctrl-C): the
 * commands still running are then killed with their process group, so none is left orphaned.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnInOwnSession, startsAgain } from './own-session.js';

/** A command that failed: its stderr is the useful part of the message. */
export class CommandFailed extends Error {
  readonly stderr: string;

  constructor(
    readonly argv: readonly string[],
    stderr: string,
    cause: unknown,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim() === '' ? String(cause) : stderr.trim()}`, { cause });
    this.name = 'CommandFailed';
    this.stderr = stderr;
  }
}

export interface RunCommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin (closed at once when absent). */
  readonly input?: string;
}

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

function killRunning(): void {
  // Its whole group: a shell script's own children too.
  for (const { pid } of running) {
    try {
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
    } catch {
      // Ended already, its exit not yet seen.
    }
  }
}

function runOnce(argv: readonly string[], options: RunCommandOptions): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawnInOwnSession(argv[0] as string, argv.slice(1), { stdio: 'pipe', env: options.env ?? process.env });
    if (running.size === 0) process.once('exit', killRunning);
    running.add(child);
    // At its exit, not its stdio's close: a daemon it forked (qemu-nbd --fork) may stay in its group.
    const done = () => {
      running.delete(child);
      if (running.size === 0) process.off('exit', killRunning);
    };
    child.once('exit', done);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      done();
      reject(new CommandFailed(argv, Buffer.concat(stderr).toString(), error));
    });
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
    // A command that fails early closes its stdin: its exit status tells, not EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a command to completion and returns its stdout; a failure carries its stderr. */
export async function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<string> {
  const argv = [command, ...args];
  for (let starts = 1; ; starts += 1) {
    const { code, signal, stdout, stderr } = await runOnce(argv, options);
    if (code === 0) return stdout;
    if (startsAgain(signal, starts)) continue;
    throw new CommandFailed(argv, stderr, signal === null ? `exit status ${String(code)}` : `ended by ${signal}`);
  }
}
