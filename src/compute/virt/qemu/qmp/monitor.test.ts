import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { qemuSystemBinary } from '../host/qemu-binary.js';
import { qmp } from './index.js';
import { QmpCommandError, QmpDisconnected, QmpTimeout } from './errors.js';
import { QmpMonitor } from './monitor.js';

// Against a real QEMU with no machine at all: cheap (no guest runs), and it speaks full QMP.
const binary = qemuSystemBinary();
const skip = binary === undefined ? 'qemu-system-x86_64 is not installed' : false;
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nimbus-qmp-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startQemu(name: string): { socket: string; exited: Promise<number | null> } {
  const socket = join(dir, `${name}.sock`);
  const child = spawn(binary ?? 'qemu-system-x86_64', ['-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-qmp', `unix:${socket},server=on,wait=off`], {
    stdio: 'ignore',
  });
  return { socket, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

test('connect negotiates, commands answer, events arrive, quit is noticed as a disconnect', { skip }, async () => {
  const qemu = startQemu('a');
  const monitor = await QmpMonitor.connect(qemu.socket, { timeoutMs: 10_000 });
  assert.equal(monitor.greeting.version.major >= 7, true);
  assert.equal((await qmp.queryStatus(monitor)).status, 'prelaunch');
  const resumed = monitor.waitForEvent('RESUME', { timeoutMs: 5_000 });
  await qmp.cont(monitor);
  const event = await resumed;
  assert.ok(typeof event === 'object' && event.event === 'RESUME');
  assert.equal((await qmp.queryStatus(monitor)).status, 'running');
  await assert.rejects(monitor.run('no-such-command'), (error: unknown) => error instanceof QmpCommandError && error.errorClass === 'CommandNotFound');
  assert.equal(await monitor.waitForEvent('SHUTDOWN', { timeoutMs: 50 }), 'timeout');
  const gone = monitor.waitForEvent('NEVER', { timeoutMs: 10_000 });
  await qmp.quit(monitor).catch((error: unknown) => assert.ok(error instanceof QmpDisconnected));
  assert.equal(await gone, 'disconnected');
  assert.equal(monitor.connected, false);
  await assert.rejects(qmp.queryStatus(monitor), QmpDisconnected);
  assert.equal(await qemu.exited, 0);
});

test('a socket nobody listens on times out the connect', async () => {
  await assert.rejects(QmpMonitor.connect(join(dir, 'absent.sock'), { timeoutMs: 100 }), QmpTimeout);
});

test('disconnect leaves QEMU running for the next client', { skip }, async () => {
  const qemu = startQemu('b');
  const first = await QmpMonitor.connect(qemu.socket, { timeoutMs: 10_000 });
  await first.disconnect();
  const second = await QmpMonitor.connect(qemu.socket, { timeoutMs: 10_000 });
  assert.equal((await qmp.queryStatus(second)).status, 'prelaunch');
  await qmp.quit(second).catch(() => undefined);
  assert.equal(await qemu.exited, 0);
});
