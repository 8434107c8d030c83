/**
 * The one way the Linux data path runs a command: an argv array (never a shell string), optional
 * stdin (`nft -f -`), optionally inside a network namespace. A failure is logged once, here, with
 * the command's stderr, and thrown; `tryRun` is for the deletes whose target may already be gone.
 */
import { spawn } from 'node:child_process';
import { getLogger } from '../../../common/logging/logger.js';

const LOG = getLogger('nimbus.network.agent.linux_bridge');

export class CommandFailed extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
    cause: unknown,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim() === '' ? String(cause) : stderr.trim()}`, { cause });
    this.name = 'CommandFailed';
  }
}

export interface RunOptions {
  /** Runs the command in this network namespace (`ip netns exec`). */
  readonly namespace?: string;
  readonly input?: string;
}

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runOnce(argv: readonly string[], input: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // In a session of its own (spawn, as execFile has no such option): a terminal's Ctrl-C,
    // `timeout` or `kill -- -PGID` signals the agent's whole process group, and would end an `ip`
    // or `nft` halfway through the clean-up that very signal starts.
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => reject(new CommandFailed(argv, Buffer.concat(stderr).toString(), error)));
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
    // A command that fails early closes its stdin: its exit status tells, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * A signal for the agent's process group still reaches a command forked just before it, as the
 * command leaves the group only on its way to exec (3 spawns in 54 under ten Ctrl-Cs a second on a
 * busy host): one ended that way never ran, and runs again. Once in its own session none of them
 * ends by these signals otherwise (but for a service manager stopping the whole unit, after which
 * running it again is right too).
 */
const GROUP_SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const RUNS_WHEN_SIGNALLED = 3;

async function execute(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const argv = options.namespace === undefined ? [command, ...args] : ['ip', 'netns', 'exec', options.namespace, command, ...args];
  for (let runs = 1; ; runs += 1) {
    const { code, signal, stdout, stderr } = await runOnce(argv, options.input ?? '');
    if (code === 0) return stdout;
    if (signal !== null && GROUP_SIGNALS.includes(signal) && runs < RUNS_WHEN_SIGNALLED) continue;
    throw new CommandFailed(argv, stderr, signal === null ? `exit status ${String(code)}` : `ended by ${signal}`);
  }
}

export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  try {
    return await execute(command, args, options);
  } catch (error) {
    LOG.warning(`Command failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/** Runs a command whose failure is an expected outcome (deleting what may not exist); true when it succeeded. */
export async function tryRun(command: string, args: readonly string[], options: RunOptions = {}): Promise<boolean> {
  return execute(command, args, options).then(
    () => true,
    () => false,
  );
}

export const ip = (...args: string[]): Promise<string> => run('ip', args);
