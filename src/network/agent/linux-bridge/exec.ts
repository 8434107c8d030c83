/**
 * The one way the Linux data path runs a command: an argv array (never a shell string), optional
 * stdin (`nft -f -`), optionally inside a network namespace. A failure is logged once, here, with
 * the command's stderr, and thrown; `tryRun` is for the deletes whose target may already be gone.
 */
import { execFile } from 'node:child_process';
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

function execute(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const argv = options.namespace === undefined ? [command, ...args] : ['ip', 'netns', 'exec', options.namespace, command, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0] as string, argv.slice(1), { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new CommandFailed(argv, stderr, error));
    });
    // A command that fails early closes its stdin: its exit status tells, not EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
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
