import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { watchProcess, type NimbusProcess } from '../../../test/support/nimbus-process.js';

/** Longer than the second within which signals are one request, with room for a busy host. */
const APART_MS = 1500;

// A command's process as the CLI runs one, whose start and stop last until the test says: a line
// on its stdin ends the start, the end of its stdin the stop (a clean-up in progress until then).
const COMMAND = `
import { once } from 'node:events';
import { catchStopSignals } from ${JSON.stringify(new URL('./stop-signals.js', import.meta.url).href)};
const signals = catchStopSignals({ gracefulShutdownTimeoutSeconds: Number(process.env.GRACEFUL_SHUTDOWN_TIMEOUT ?? 60) });
process.stdin.resume();
console.log('starting');
await once(process.stdin, 'data');
console.log('running');
await signals.stopOn({ stop: () => once(process.stdin, 'end') });
`;

describe('stop signals', () => {
  const started: NimbusProcess[] = [];
  after(() => {
    for (const command of started) command.child.kill('SIGKILL');
  });

  const start = async (gracefulShutdownTimeout = 60): Promise<NimbusProcess> => {
    const env = { ...process.env, GRACEFUL_SHUTDOWN_TIMEOUT: String(gracefulShutdownTimeout) };
    const command = watchProcess(spawn(process.execPath, ['--input-type=module', '-e', COMMAND], { stdio: ['pipe', 'pipe', 'pipe'], env }));
    started.push(command);
    await command.waitFor(/starting/);
    return command;
  };
  const run = async (gracefulShutdownTimeout?: number): Promise<NimbusProcess> => {
    const command = await start(gracefulShutdownTimeout);
    command.child.stdin?.write('go\n');
    await command.waitFor(/running/);
    return command;
  };
  const signal = (command: NimbusProcess, name: NodeJS.Signals) => command.child.kill(name);

  test('signals less than a second apart (timeout: its child, then its group) are one request, and the stop runs to its end', async () => {
    const command = await run();
    signal(command, 'SIGTERM');
    signal(command, 'SIGTERM');
    signal(command, 'SIGINT');
    await command.waitFor(/Caught SIG(TERM|INT), stopping/);
    await sleep(300);
    command.child.stdin?.end();
    assert.equal(await command.exited(), 0);
    assert.match(command.output(), /INFO nimbus\.cli \[-\] Stopped/);
    assert.equal(command.output().split('\n').filter((line) => line.includes('Caught')).length, 1, command.output());
  });

  test('a second request says the clean-up goes on; a third exits without it', async () => {
    const command = await run();
    signal(command, 'SIGINT');
    await command.waitFor(/Caught SIGINT, stopping/);
    await sleep(APART_MS);
    signal(command, 'SIGINT');
    await command.waitFor(/WARNING nimbus\.cli \[-\] Caught SIGINT while stopping: clean-up is in progress/);
    await sleep(APART_MS);
    signal(command, 'SIGTERM');
    assert.equal(await command.exited(), 1);
    assert.match(command.output(), /Caught SIGTERM again, exiting without finishing the clean-up/);
    assert.doesNotMatch(command.output(), /Stopped/);
  });

  test('a stop that outlasts [DEFAULT] graceful_shutdown_timeout ends the process with an ERROR saying so', async () => {
    const command = await run(2);
    signal(command, 'SIGTERM');
    await command.waitFor(/Caught SIGTERM, stopping/);
    // The stop never ends by itself (stdin stays open).
    assert.equal(await command.exited(), 1);
    assert.match(command.output(), /ERROR nimbus\.cli \[-\] Graceful shutdown timeout \(2 s\) exceeded, exiting without finishing the clean-up/);
    assert.doesNotMatch(command.output(), /Stopped/);
  });

  test('a signal while the command starts stops it once started, rather than ending it there', async () => {
    const command = await start();
    signal(command, 'SIGTERM');
    await command.waitFor(/Caught SIGTERM, stopping once started/);
    command.child.stdin?.write('go\n');
    await command.waitFor(/running/);
    command.child.stdin?.end();
    assert.equal(await command.exited(), 0);
    assert.match(command.output(), /Stopped/);
  });
});
