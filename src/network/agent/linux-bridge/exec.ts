/**
 * The one way the Linux data path runs a command: common's runCommand (its own session, so the
 * signal that starts the clean-up does not end it halfway), optionally inside a network namespace.
 * A failure is logged once, here, with the command's stderr, and thrown; `tryRun` is for the
 * deletes whose target may already be gone.
 */
import { getLogger } from '../../../common/logging/logger.js';
import { runCommand } from '../../../common/process/run-command.js';

const LOG = getLogger('nimbus.network.agent.linux_bridge');

export interface RunOptions {
  /** Runs the command in this network namespace (`ip netns exec`). */
  readonly namespace?: string;
  readonly input?: string;
}

function execute(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const { namespace, input } = options;
  return namespace === undefined ? runCommand(command, args, { input }) : runCommand('ip', ['netns', 'exec', namespace, command, ...args], { input });
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
