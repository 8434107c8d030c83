/** Talking to a nimbus-tiny guest over its serial console socket, for tests. */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComputeDriver } from '../../driver.js';
import type { InstanceRef } from '../../instance-spec.js';
import { TINY_READY_PATTERN } from '../guest-image/tiny-image.js';

export interface ReadyLine {
  readonly boot: number;
  readonly uptimeSeconds: number;
  readonly line: string;
}

/** The ready lines in the console log so far (the log is kept across restarts), oldest first. */
export function readyLines(consoleOutput: string): ReadyLine[] {
  return consoleOutput
    .split('\n')
    .map((line) => ({ line, match: TINY_READY_PATTERN.exec(line) }))
    .filter((entry): entry is { line: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ line, match }) => ({ line, boot: Number(match[2]), uptimeSeconds: Number(match[3]) }));
}

/** Waits until the console shows its `count`-th ready line, and returns it. */
export async function waitForReady(driver: ComputeDriver, instance: InstanceRef, count: number, timeoutMs = 60_000): Promise<ReadyLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = readyLines(await driver.getConsoleOutput(instance));
    const wanted = lines[count - 1];
    if (wanted !== undefined) return wanted;
    if (Date.now() > deadline) throw new Error(`no ready line #${count} within ${timeoutMs} ms (${lines.length} so far)`);
    await sleep(100);
  }
}

/**
 * Runs a shell command in the guest and returns what it printed. The end marker is computed by
 * the guest's shell, so the tty's echo of the command line cannot be mistaken for it.
 */
export function runInGuest(consoleSocket: string, command: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(consoleSocket);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`guest did not finish \`${command}\` within ${timeoutMs} ms; got: ${received.slice(-500)}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => socket.write(`\necho NIMBUS-BEGIN$((40+2)); ${command}; echo NIMBUS-END$((40+2))\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('NIMBUS-END42');
      if (end === -1) return;
      const begin = received.indexOf('NIMBUS-BEGIN42');
      clearTimeout(timer);
      socket.destroy();
      resolve(received.slice(begin + 'NIMBUS-BEGIN42'.length, end).replace(/\r/g, '').trim());
    });
  });
}
