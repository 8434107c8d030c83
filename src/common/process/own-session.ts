/**
 * Host commands and QEMU start in a session of their own: a terminal's Ctrl-C, `timeout` or
 * `kill -- -PGID` signals the whole process group of `nimbus up`, and would end a command (an `ip`
 * or `nft` of the network's clean-up, a `qemu-img convert` of a build the stop waits for) or a
 * guest's QEMU halfway, instead of letting the stop that very signal starts run its course.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** The signals a terminal, a service manager or `timeout` sends to a whole process group. */
const GROUP_SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A signal for the process group still reaches a child forked just before it, as the child leaves
 * the group only on its way to exec (3 spawns in 54 under ten Ctrl-Cs a second on a busy host): one
 * ended that way never ran, and is started again. Once in its own session none of them ends by these
 * signals otherwise (but for a service manager stopping the whole unit, after which starting it
 * again is right too).
 */
const STARTS_WHEN_SIGNALLED = 3;

/** Whether a child that ended by `signal` on its `starts`-th start is to be started again. */
export function startsAgain(signal: NodeJS.Signals | null, starts: number): boolean {
  return signal !== null && GROUP_SIGNALS.includes(signal) && starts < STARTS_WHEN_SIGNALLED;
}

/** `spawn` with the child leading a session (and so a process group) of its own. */
export function spawnInOwnSession(command: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}
